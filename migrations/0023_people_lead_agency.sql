-- Search finds people reached through an agreement among those the agreement's agencies lead;
-- without this index that meant reading everyone whose name resembled the text.
create index people_lead_agency on people (lead_agency_id);
