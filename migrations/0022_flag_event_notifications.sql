-- An open My day hears of a flag change about one of its people as the change commits, rather
-- than by asking every quarter of a second: every flag event in the outbox notifies the
-- person's id on the channel flag_events (repeats within a transaction are sent once).
create function notify_flag_event() returns trigger language plpgsql as $$
begin
  perform pg_notify('flag_events', new.person_id::text);
  return null;
end
$$;

create trigger outbox_flag_events after insert on outbox
  for each row when (new.event_type like 'flag.%' and new.person_id is not null)
  execute function notify_flag_event();
