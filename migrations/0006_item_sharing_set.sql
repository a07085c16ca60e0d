-- agency_shares() was called once per timeline item and, being an aggregate, could not be
-- inlined: it doubled the cost of the person page. shared_with_user() returns the same facts
-- as a set, (recording agency, category), which the planner inlines and hashes once per person.
create function shared_with_user(p_person uuid, p_user uuid)
returns table (agency_id uuid, category text)
language sql stable as $$
  select distinct theirs.agency_id, c.category
  from sharing_agreement_agencies mine
  join sharing_agreements a on a.id = mine.agreement_id and agreement_in_force(a)
  join sharing_agreement_agencies theirs on theirs.agreement_id = a.id and theirs.agency_id <> mine.agency_id
  join sharing_agreement_categories c on c.agreement_id = a.id
  where mine.agency_id = casework_agency(p_user)
    and exists (
      select 1 from sharing_agreement_cohorts ac
      join cohort_memberships m on m.cohort_id = ac.cohort_id and m.person_id = p_person and m.ended_on is null
      where ac.agreement_id = a.id)
$$;

drop function agency_shares(uuid, uuid, uuid);
