-- A member's review date can be changed after selection, with a reason; the change is kept in
-- the decision history beside selections and removals, so the history says why the review moved.
alter table cohort_decisions drop constraint cohort_decisions_decision_check;
alter table cohort_decisions add constraint cohort_decisions_decision_check
  check (decision in ('selected', 'deselected', 'not_selected', 'review_changed'));
