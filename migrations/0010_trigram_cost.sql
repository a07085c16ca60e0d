-- The planner costs pg_trgm's word-similarity operators like an equality test, so on a table
-- of tens of thousands of aliases it prefers reading every row (computing the similarity for
-- each, ~130 ms) to the trigram index (~25 ms). Their real cost is nearer a hundred simple
-- operators. Where the database user may not alter the extension's functions (a managed
-- service), this is skipped and search stays correct, only slower.
do $$
begin
  alter function word_similarity_op(text, text) cost 100;
  alter function word_similarity_commutator_op(text, text) cost 100;
  alter function similarity_op(text, text) cost 100;
exception when insufficient_privilege then
  raise notice 'pg_trgm operator costs left as they were: %', sqlerrm;
end
$$;
