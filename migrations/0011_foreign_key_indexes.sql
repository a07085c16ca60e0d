-- Foreign keys to people without an index: removing or merging a person made PostgreSQL read
-- each of these tables whole to check nothing still pointed at them (seconds per person on a
-- national estate). Partial where most rows hold no reference.
create index people_merged_into on people (merged_into) where merged_into is not null;
create index match_reviews_candidate on match_reviews (candidate_person_id);
create index person_merges_merged on person_merges (merged_id);
create index inbound_messages_person on inbound_messages (person_id) where person_id is not null;
create index webhook_deliveries_person on webhook_deliveries (person_id) where person_id is not null;
