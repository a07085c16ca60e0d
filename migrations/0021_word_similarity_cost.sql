-- A name search tests each trigram candidate both for resemblance (`<%`) and for whether the
-- user could see the person (an allocation, their team, an agreement: hashed lookups, and for
-- an agreement a look at the person's cohorts). The planner runs the cheaper-looking test
-- first, and at cost 100 (0010) resemblance looked cheaper than the look at the cohorts, so
-- for a common name it worked out thousands of similarities for people the user could not
-- see (~70 ms, where ~25 ms with the access tests first). At 5000 it comes after them; it
-- still prefers the trigram index, as 0010 wanted. Skipped where the extension's functions
-- may not be altered, as in 0010.
do $$
begin
  alter function word_similarity_op(text, text) cost 5000;
  alter function word_similarity_commutator_op(text, text) cost 5000;
exception when insufficient_privilege then
  raise notice 'pg_trgm word similarity costs left as they were: %', sqlerrm;
end
$$;
