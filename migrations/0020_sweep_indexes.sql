-- The recall rule's sweep looks for recent recall events among 25 million timeline events:
-- a small index of those alone, rather than a scan of them all once a minute.
create index timeline_events_recalls on timeline_events (occurred_at)
  where kind in ('recall.considered', 'recall.management-oversight', 'recall.recommendation-deleted');
