"""KPI definitions, aggregation into monthly snapshots, sentiment of comments, exports, jobs."""
