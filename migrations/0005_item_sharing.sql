-- What a record made by one agency shares with a user of another, about one person: the
-- categories of the agreements in force between the two agencies that cover one of the
-- person's current cohorts. A timeline item is shown to a user when their agency recorded it,
-- when the person's lead agency recorded it in a category the user may see, or when another
-- agency recorded it in a category its agreements share with the user's agency.
create function agency_shares(p_person uuid, p_from uuid, p_user uuid) returns text[]
language sql stable as $$
  select coalesce(array_agg(distinct c.category), '{}')
  from sharing_agreement_agencies mine
  join sharing_agreements a on a.id = mine.agreement_id and agreement_in_force(a)
  join sharing_agreement_agencies theirs on theirs.agreement_id = a.id and theirs.agency_id = p_from
  join sharing_agreement_categories c on c.agreement_id = a.id
  where mine.agency_id = casework_agency(p_user)
    and exists (
      select 1 from sharing_agreement_cohorts ac
      join cohort_memberships m on m.cohort_id = ac.cohort_id and m.person_id = p_person and m.ended_on is null
      where ac.agreement_id = a.id)
$$;
