-- person_access: look up restrictions only for people the user is related to, so that a
-- search over hundreds of namesakes does not probe the restriction lists of each of them.

create or replace function person_access(p_person people, p_user uuid)
returns table (relationship text, categories text[])
language sql stable as $$
  select r.kind,
    array(
      select d.code from data_categories d
      where p_person.lead_agency_id = (select casework_agency(p_user))
        or d.code = 'identity'
        or d.code in (
          select c.category
          from sharing_agreement_agencies mine
          join sharing_agreements a on a.id = mine.agreement_id and agreement_in_force(a)
          join sharing_agreement_agencies theirs on theirs.agreement_id = a.id and theirs.agency_id = p_person.lead_agency_id
          join sharing_agreement_categories c on c.agreement_id = a.id
          where mine.agency_id = (select casework_agency(p_user))
            and (r.kind = 'break_glass' or exists (
              select 1 from sharing_agreement_cohorts ac
              join cohort_memberships m on m.cohort_id = ac.cohort_id and m.person_id = p_person.id and m.ended_on is null
              where ac.agreement_id = a.id)))
      order by d.sort)
  from (select case
      when exists (select 1 from allocations al where al.person_id = p_person.id and al.user_id = p_user and al.ended_at is null)
        then 'allocated'
      when exists (select 1 from team_members tm where tm.team_id = p_person.lead_team_id and tm.user_id = p_user)
        then 'team'
      when p_person.lead_agency_id <> (select casework_agency(p_user)) and exists (
          select 1 from cohort_memberships m
          where m.person_id = p_person.id and m.ended_on is null
            and p_person.lead_agency_id::text || '/' || m.cohort_id::text = any ((select agreement_coverage(p_user))::text[]))
        then 'agreement'
      when exists (select 1 from break_glass_grants g where g.person_id = p_person.id and g.user_id = p_user and g.expires_at > now())
        then 'break_glass'
    end as kind) r
  where (select casework_agency(p_user)) is not null
    -- Restrictions are only looked up for people the user would otherwise see.
    and case when r.kind is null then false else not case_blocked(p_person.id, p_user) end
$$;
