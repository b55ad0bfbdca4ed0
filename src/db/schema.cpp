// The schema, one migration per function. Written once with dialect tokens (see dialect.hpp).
// Never edit a migration that has shipped: add a new one (tests/db/migration_fingerprints_test.cpp
// pins what each leaves behind).
#include "db/dialect.hpp"
#include "db/migrations.hpp"

namespace rapport::db {
namespace {

constexpr const char* kCoreRecords = R"SQL(
CREATE TABLE users (
  id {pk},
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'executive', 'rsm', 'rep', 'account_manager',
                                     'inside_sales', 'customer_success', 'clinical_specialist')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_leave', 'left')),
  manager_id {int} REFERENCES users (id),
  job_title TEXT,
  phone TEXT,
  password_hash TEXT,
  left_at {int},
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX users_manager_idx ON users (manager_id);

CREATE TABLE territories (
  id {pk},
  name TEXT NOT NULL UNIQUE,
  parent_id {int} REFERENCES territories (id),
  owner_id {int} REFERENCES users (id),
  region TEXT,
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX territories_parent_idx ON territories (parent_id);
CREATE INDEX territories_owner_idx ON territories (owner_id);

CREATE TABLE distributors (
  id {pk},
  name TEXT NOT NULL UNIQUE,
  region TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'terminated')),
  email TEXT,
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};

CREATE TABLE accounts (
  id {pk},
  external_id TEXT UNIQUE,
  name TEXT NOT NULL,
  parent_id {int} REFERENCES accounts (id),
  type TEXT NOT NULL CHECK (type IN ('health_system', 'hospital', 'department', 'gp_practice',
                                     'pharmacy', 'local_authority', 'commissioning_group', 'other')),
  status TEXT NOT NULL DEFAULT 'prospect' CHECK (status IN ('prospect', 'customer', 'former')),
  customer_since {date},
  region TEXT,
  postcode TEXT,
  owner_id {int} REFERENCES users (id),
  territory_id {int} REFERENCES territories (id),
  distributor_id {int} REFERENCES distributors (id),
  segment TEXT,
  contact_cadence_days {int},
  archived_at {int},
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX accounts_parent_idx ON accounts (parent_id);
CREATE INDEX accounts_owner_idx ON accounts (owner_id);
CREATE INDEX accounts_territory_idx ON accounts (territory_id);
CREATE INDEX accounts_distributor_idx ON accounts (distributor_id);
CREATE INDEX accounts_name_idx ON accounts (name, id);
CREATE INDEX accounts_updated_idx ON accounts (updated_at, id);

CREATE TABLE contacts (
  id {pk},
  external_id TEXT UNIQUE,
  account_id {int} NOT NULL REFERENCES accounts (id),
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  job_title TEXT,
  function TEXT NOT NULL DEFAULT 'other' CHECK (function IN ('clinician', 'procurement', 'finance',
      'executive', 'department_manager', 'personal_assistant', 'stores', 'business_development',
      'it', 'other')),
  stance TEXT NOT NULL DEFAULT 'neutral' CHECK (stance IN ('advocate', 'neutral', 'detractor')),
  influence TEXT NOT NULL DEFAULT 'medium' CHECK (influence IN ('low', 'medium', 'high')),
  colour TEXT CHECK (colour IN ('red', 'blue', 'green', 'yellow')),
  kol {int} NOT NULL DEFAULT 0 CHECK (kol IN (0, 1)),
  email TEXT,
  phone TEXT,
  reports_to_id {int} REFERENCES contacts (id),
  left_at {int},
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX contacts_account_idx ON contacts (account_id);
CREATE INDEX contacts_name_idx ON contacts (last_name, first_name, id);

CREATE TABLE account_team_members (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  user_id {int} NOT NULL REFERENCES users (id),
  team_role TEXT NOT NULL CHECK (team_role IN ('account_owner', 'account_manager', 'rep',
      'clinical_specialist', 'service_engineer', 'inside_sales', 'customer_success',
      'executive_sponsor')),
  is_primary {int} NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
  created_at {int} NOT NULL,
  UNIQUE (account_id, user_id, team_role)
){strict};
CREATE INDEX account_team_members_user_idx ON account_team_members (user_id);

CREATE TABLE products (
  id {pk},
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  family TEXT NOT NULL,
  lifecycle TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('active', 'retiring', 'retired')),
  successor_id {int} REFERENCES products (id),
  list_price_minor {int} NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'GBP',
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};

CREATE TABLE purchases (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  product_id {int} NOT NULL REFERENCES products (id),
  quantity {int} NOT NULL CHECK (quantity > 0),
  purchased_on {date} NOT NULL,
  installed_on {date},
  warranty_end {date},
  lot_expiry {date},
  contract_ref TEXT,
  amount_minor {int} NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'GBP',
  created_at {int} NOT NULL
){strict};
CREATE INDEX purchases_account_idx ON purchases (account_id);

CREATE TABLE sales_lines (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  product_id {int} NOT NULL REFERENCES products (id),
  period TEXT NOT NULL CHECK (length(period) = 7),
  revenue_minor {int} NOT NULL,
  currency TEXT NOT NULL DEFAULT 'GBP',
  quantity {int} NOT NULL DEFAULT 0,
  created_at {int} NOT NULL
){strict};
CREATE INDEX sales_lines_account_idx ON sales_lines (account_id, period);
CREATE INDEX sales_lines_product_idx ON sales_lines (product_id, period);

CREATE TABLE opportunities (
  id {pk},
  external_id TEXT UNIQUE,
  account_id {int} NOT NULL REFERENCES accounts (id),
  owner_id {int} NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  stage TEXT NOT NULL DEFAULT 'prospecting' CHECK (stage IN ('prospecting', 'qualification',
      'proposal', 'negotiation', 'closed_won', 'closed_lost')),
  amount_minor {int} NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'GBP',
  close_date {date} NOT NULL,
  probability {int} NOT NULL DEFAULT 10 CHECK (probability BETWEEN 0 AND 100),
  next_step TEXT,
  lost_reason TEXT,
  closed_at {int},
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX opportunities_account_idx ON opportunities (account_id);
CREATE INDEX opportunities_owner_idx ON opportunities (owner_id, stage, close_date);

CREATE TABLE opportunity_contact_roles (
  id {pk},
  opportunity_id {int} NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
  contact_id {int} NOT NULL REFERENCES contacts (id),
  role TEXT NOT NULL CHECK (role IN ('economic_buyer', 'user_buyer', 'technical_buyer', 'coach',
                                     'other')),
  UNIQUE (opportunity_id, contact_id, role)
){strict};
CREATE INDEX opportunity_contact_roles_contact_idx ON opportunity_contact_roles (contact_id);

CREATE TABLE activities (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  user_id {int} NOT NULL REFERENCES users (id),
  kind TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'email', 'meeting', 'note')),
  occurred_at {int} NOT NULL,
  subject TEXT NOT NULL,
  body TEXT,
  outcome TEXT,
  next_step TEXT,
  opportunity_id {int} REFERENCES opportunities (id),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX activities_account_idx ON activities (account_id, occurred_at);
CREATE INDEX activities_user_idx ON activities (user_id, occurred_at);

CREATE TABLE activity_contacts (
  activity_id {int} NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
  contact_id {int} NOT NULL REFERENCES contacts (id),
  PRIMARY KEY (activity_id, contact_id)
){strict};
CREATE INDEX activity_contacts_contact_idx ON activity_contacts (contact_id);

CREATE TABLE tasks (
  id {pk},
  owner_id {int} NOT NULL REFERENCES users (id),
  account_id {int} REFERENCES accounts (id),
  related_type TEXT CHECK (related_type IN ('opportunity', 'contact', 'activity', 'purchase')),
  related_id {int},
  subject TEXT NOT NULL,
  due_on {date},
  done_at {int},
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX tasks_owner_idx ON tasks (owner_id, done_at, due_on);
CREATE INDEX tasks_account_idx ON tasks (account_id);

CREATE TABLE audit_history (
  id {pk},
  table_name TEXT NOT NULL,
  record_id {int} NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'archive')),
  field TEXT,
  old_value TEXT,
  new_value TEXT,
  changed_by {int} REFERENCES users (id),
  changed_at {int} NOT NULL
){strict};
CREATE INDEX audit_history_record_idx ON audit_history (table_name, record_id, id);
)SQL";

Status ApplyCoreRecords(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kCoreRecords));
}

// The search indexes as migrations 2 and 19 made them; migration 28 adds an account's city and
// ODS code (SearchIndexes() is what is there now).
const std::vector<FullTextIndex>& SearchIndexesBefore28() {
  static const std::vector<FullTextIndex> indexes = {
      {"accounts", {"name", "region", "postcode"}, "t.name"},
      {"contacts",
       {"first_name", "last_name", "job_title", "email"},
       "t.first_name || ' ' || t.last_name"},
      {"opportunities", {"name"}, "t.name"},
  };
  return indexes;
}

Status ApplyFullTextSearch(Transaction& transaction) {
  for (const FullTextIndex& index : SearchIndexesBefore28()) {
    for (const std::string& statement :
         CreateFullTextIndex(transaction.backend(), index, FullTextDetail::kPositions)) {
      RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(statement));
    }
  }
  return Ok();
}

constexpr const char* kSessions = R"SQL(
CREATE TABLE sessions (
  id {pk},
  user_id {int} NOT NULL REFERENCES users (id),
  token_hash TEXT NOT NULL UNIQUE,
  csrf_hash TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('web', 'script')),
  created_at {int} NOT NULL,
  expires_at {int} NOT NULL,
  revoked_at {int}
){strict};
CREATE INDEX sessions_user_idx ON sessions (user_id);
)SQL";

Status ApplySessions(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kSessions));
}

// Handovers (who handed what to whom), the introductions they send, the outbox those messages wait
// in until the worker has delivered them, and the templates admins edit per reason.
constexpr const char* kHandovers = R"SQL(
CREATE TABLE handovers (
  id {pk},
  from_user_id {int} REFERENCES users (id),
  from_distributor_id {int} REFERENCES distributors (id),
  to_distributor_id {int} REFERENCES distributors (id),
  reason TEXT NOT NULL CHECK (reason IN ('resigned', 'promoted', 'moved', 'leave',
                                         'territory_split', 'distributor_change')),
  effective_on {date} NOT NULL,
  team_rule TEXT NOT NULL CHECK (team_rule IN ('replace_leaver', 'keep_team')),
  first_contact_days {int} NOT NULL,
  cover_ends_on {date},
  cover_ended_at {int},
  created_by {int} REFERENCES users (id),
  created_at {int} NOT NULL,
  CHECK (from_user_id IS NOT NULL OR from_distributor_id IS NOT NULL)
){strict};
CREATE INDEX handovers_from_idx ON handovers (from_user_id);
CREATE INDEX handovers_cover_idx ON handovers (cover_ends_on);

CREATE TABLE handover_items (
  id {pk},
  handover_id {int} NOT NULL REFERENCES handovers (id),
  record_type TEXT NOT NULL CHECK (record_type IN ('account', 'opportunity', 'task', 'meeting',
                                                   'territory', 'team_member')),
  record_id {int} NOT NULL,
  account_id {int} REFERENCES accounts (id),
  successor_id {int} NOT NULL REFERENCES users (id),
  action TEXT NOT NULL CHECK (action IN ('reassign', 'remove')),
  to_territory_id {int} REFERENCES territories (id)
){strict};
CREATE INDEX handover_items_handover_idx ON handover_items (handover_id, record_type);
CREATE INDEX handover_items_successor_idx ON handover_items (successor_id);

CREATE TABLE outbox (
  id {pk},
  kind TEXT NOT NULL CHECK (kind IN ('introduction')),
  sender_user_id {int} NOT NULL REFERENCES users (id),
  sender_name TEXT NOT NULL,
  sender_email TEXT NOT NULL,
  recipient_name TEXT NOT NULL,
  recipient_email TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  account_id {int} REFERENCES accounts (id),
  contact_id {int} REFERENCES contacts (id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts {int} NOT NULL DEFAULT 0,
  next_attempt_at {int} NOT NULL,
  claimed_until {int},
  last_error TEXT,
  sent_at {int},
  activity_id {int} REFERENCES activities (id),
  created_at {int} NOT NULL
){strict};
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);

CREATE TABLE introductions (
  id {pk},
  handover_id {int} NOT NULL REFERENCES handovers (id),
  account_id {int} NOT NULL REFERENCES accounts (id),
  contact_id {int} NOT NULL REFERENCES contacts (id),
  successor_id {int} NOT NULL REFERENCES users (id),
  from_manager {int} NOT NULL DEFAULT 0 CHECK (from_manager IN (0, 1)),
  message_id {int} NOT NULL REFERENCES outbox (id),
  task_id {int} REFERENCES tasks (id)
){strict};
CREATE INDEX introductions_handover_idx ON introductions (handover_id, account_id);

CREATE TABLE message_templates (
  id {pk},
  reason TEXT NOT NULL UNIQUE CHECK (reason IN ('resigned', 'promoted', 'moved', 'leave',
                                                'territory_split', 'distributor_change')),
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
)SQL";

Status ApplyHandovers(Transaction& transaction) {
  RAPPORT_RETURN_IF_ERROR(
      transaction.ExecuteScript(RenderSchema(transaction.backend(), kHandovers)));
  // The introduction each reason sends; admins edit them. {placeholders} are filled per contact.
  struct Template {
    const char* reason;
    const char* subject;
    const char* body;
  };
  static constexpr Template kTemplates[] = {
      {"resigned", "Your new contact at {company}: {successor_name}",
       "Dear {contact_first_name},\n\n{leaver_name} has left {company}. From today I look after "
       "{account_name}, and everything {leaver_name} was working on with you continues with me: "
       "the orders, the open questions and the promises made.\n\nI will call you in the next few "
       "days to introduce myself. You can reach me at {successor_email}.\n\nKind regards,\n"
       "{sender_name}"},
      {"promoted", "{leaver_name} is handing {account_name} to {successor_name}",
       "Dear {contact_first_name},\n\n{leaver_name} has taken on a new role at {company} and has "
       "asked me to look after {account_name} from now on. Nothing you agreed is lost: I have the "
       "whole history.\n\nI will be in touch shortly. You can reach me at {successor_email}.\n\n"
       "Kind regards,\n{sender_name}"},
      {"moved", "{successor_name} now looks after {account_name}",
       "Dear {contact_first_name},\n\n{leaver_name} has moved to another area, and I now look "
       "after {account_name}. I will call you shortly to introduce myself; you can reach me at "
       "{successor_email}.\n\nKind regards,\n{sender_name}"},
      {"leave", "{successor_name} is covering for {leaver_name}",
       "Dear {contact_first_name},\n\nWhile {leaver_name} is away I am looking after "
       "{account_name}. Anything you need, please contact me at {successor_email}.\n\nKind "
       "regards,\n{sender_name}"},
      {"territory_split", "Your contact at {company} for {account_name}",
       "Dear {contact_first_name},\n\nWe have reorganised our territories so that we can give "
       "{account_name} more time. From now on I am your contact; {leaver_name} has briefed me "
       "fully. I will call you shortly; you can reach me at {successor_email}.\n\nKind regards,\n"
       "{sender_name}"},
      {"distributor_change", "{company} will now serve {account_name} directly",
       "Dear {contact_first_name},\n\nFrom now on {company} will look after {account_name} "
       "through me rather than through our former distributor. Your orders, contracts and service "
       "continue without a break. I will call you shortly; you can reach me at "
       "{successor_email}.\n\nKind regards,\n{sender_name}"},
  };
  for (const Template& t : kTemplates) {
    RAPPORT_RETURN_IF_ERROR(transaction.Execute(
        "INSERT INTO message_templates (reason, subject, body, created_at, updated_at) "
        "VALUES (?, ?, ?, 0, 0)",
        {std::string(t.reason), std::string(t.subject), std::string(t.body)}));
  }
  return Ok();
}

// Relationship coverage: segments with the contact cadence their accounts keep (an account's own
// cadence wins), and the contact at the customer each team member is paired with (the executive
// sponsor's peer).
constexpr const char* kCoverage = R"SQL(
CREATE TABLE segments (
  id {pk},
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  contact_cadence_days {int} CHECK (contact_cadence_days BETWEEN 1 AND 3650),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
ALTER TABLE account_team_members ADD COLUMN peer_contact_id {int} REFERENCES contacts (id);
)SQL";

Status ApplyCoverage(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kCoverage));
}

// Strategic selling: each opportunity's Blue Sheet (the buying influences beyond their roles,
// strengths, the red flags the rep saw, possible actions that become tasks), how a lost deal
// ends (who won, when to go back) and the forecast category a rep puts a deal in.
constexpr const char* kBlueSheets = R"SQL(
CREATE TABLE blue_sheets (
  id {pk},
  opportunity_id {int} NOT NULL UNIQUE REFERENCES opportunities (id) ON DELETE CASCADE,
  strengths TEXT,
  red_flags_noted TEXT,
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};

CREATE TABLE buying_influences (
  id {pk},
  opportunity_id {int} NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
  contact_id {int} NOT NULL REFERENCES contacts (id),
  response_mode TEXT CHECK (response_mode IN ('growth', 'trouble', 'even_keel',
                                               'overconfident')),
  degree_of_influence TEXT CHECK (degree_of_influence IN ('low', 'medium', 'high')),
  rating {int} CHECK (rating BETWEEN -3 AND 3),
  win_theme TEXT,
  business_result TEXT,
  UNIQUE (opportunity_id, contact_id)
){strict};
CREATE INDEX buying_influences_contact_idx ON buying_influences (contact_id);

CREATE TABLE blue_sheet_actions (
  id {pk},
  opportunity_id {int} NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
  description TEXT NOT NULL,
  shortlisted {int} NOT NULL DEFAULT 0 CHECK (shortlisted IN (0, 1)),
  owner_id {int} REFERENCES users (id),
  due_on {date},
  task_id {int} REFERENCES tasks (id)
){strict};
CREATE INDEX blue_sheet_actions_opportunity_idx ON blue_sheet_actions (opportunity_id);

ALTER TABLE opportunities ADD COLUMN won_by TEXT;
ALTER TABLE opportunities ADD COLUMN revisit_on {date};
ALTER TABLE opportunities ADD COLUMN forecast_category TEXT
  CHECK (forecast_category IN ('commit', 'best_case', 'pipeline', 'omitted'));
)SQL";

Status ApplyBlueSheets(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kBlueSheets));
}

// Each account's trailing-year revenue, derived from sales_lines (see
// accounts/account_revenue.hpp).
constexpr const char* kAccountRevenue = R"SQL(
CREATE TABLE account_revenue (
  account_id {int} PRIMARY KEY REFERENCES accounts (id),
  revenue_12m_minor {int} NOT NULL,
  since_period TEXT NOT NULL,
  computed_at {int} NOT NULL
){strict};
CREATE INDEX account_revenue_rank_idx ON account_revenue (revenue_12m_minor DESC, account_id);
)SQL";

Status ApplyAccountRevenue(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kAccountRevenue));
}

// Targets per person and period, split down to people, accounts and deals (see selling/targets),
// and call plans: the objective of a visit before it, the review after.
constexpr const char* kTargets = R"SQL(
CREATE TABLE targets (
  id {pk},
  parent_id {int} REFERENCES targets (id),
  user_id {int} NOT NULL REFERENCES users (id),
  account_id {int} REFERENCES accounts (id),
  opportunity_id {int} REFERENCES opportunities (id),
  starts_on {date} NOT NULL,
  ends_on {date} NOT NULL,
  amount_minor {int} NOT NULL CHECK (amount_minor >= 0),
  currency TEXT NOT NULL DEFAULT 'GBP',
  created_by {int} REFERENCES users (id),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX targets_parent_idx ON targets (parent_id);
CREATE INDEX targets_user_idx ON targets (user_id, starts_on);

CREATE TABLE call_plans (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  user_id {int} NOT NULL REFERENCES users (id),
  opportunity_id {int} REFERENCES opportunities (id),
  planned_for {int} NOT NULL,
  best_action TEXT NOT NULL,
  minimum_action TEXT NOT NULL,
  questions TEXT,
  outcome TEXT CHECK (outcome IN ('best', 'minimum', 'none')),
  review_notes TEXT,
  follow_ups TEXT,
  reviewed_at {int},
  activity_id {int} REFERENCES activities (id),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX call_plans_account_idx ON call_plans (account_id, planned_for);
CREATE INDEX call_plans_user_idx ON call_plans (user_id, planned_for);

CREATE TABLE call_plan_contacts (
  call_plan_id {int} NOT NULL REFERENCES call_plans (id) ON DELETE CASCADE,
  contact_id {int} NOT NULL REFERENCES contacts (id),
  PRIMARY KEY (call_plan_id, contact_id)
){strict};
)SQL";

Status ApplyTargets(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kTargets));
}

// Segmentation: each account's potential (value, units), the competitor's share and when that
// market data dates from, a designation set by hand over the one the rule proposes, and the rule
// itself (one row) that managers tune.
constexpr const char* kSegmentation = R"SQL(
ALTER TABLE accounts ADD COLUMN potential_value_minor {int} CHECK (potential_value_minor >= 0);
ALTER TABLE accounts ADD COLUMN potential_units {int} CHECK (potential_units >= 0);
ALTER TABLE accounts ADD COLUMN competitor_share_percent {int}
  CHECK (competitor_share_percent BETWEEN 0 AND 100);
ALTER TABLE accounts ADD COLUMN market_data_on {date};
ALTER TABLE accounts ADD COLUMN designation TEXT
  CHECK (designation IN ('prospect', 'hunting', 'maintain'));
CREATE TABLE segmentation_rules (
  id {pk},
  hunting_min_headroom_minor {int} NOT NULL,
  maintain_min_share_percent {int} NOT NULL CHECK (maintain_min_share_percent BETWEEN 0 AND 100),
  stale_after_days {int} NOT NULL CHECK (stale_after_days > 0),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
INSERT INTO segmentation_rules (hunting_min_headroom_minor, maintain_min_share_percent,
                                stale_after_days, created_at, updated_at)
VALUES (5000000, 50, 365, 0, 0);
)SQL";

Status ApplySegmentation(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kSegmentation));
}

// Customer success: success plans in the customer's words with measurable outcomes and
// milestones (payment share, commission held back until met), trials, service cases with SLAs and
// their thread, proactive alerts raised once by the nightly job, surveys answered through one-use
// links, and the jobs the scheduler runs (one server at a time).
constexpr const char* kCustomerSuccess = R"SQL(
CREATE TABLE success_plans (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  opportunity_id {int} REFERENCES opportunities (id),
  owner_id {int} NOT NULL REFERENCES users (id),
  title TEXT NOT NULL,
  customer_definition TEXT NOT NULL,
  defined_by_contact_id {int} REFERENCES contacts (id),
  defined_on {date},
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'achieved', 'closed')),
  contract_value_minor {int} NOT NULL DEFAULT 0 CHECK (contract_value_minor >= 0),
  currency TEXT NOT NULL DEFAULT 'GBP',
  commission_user_id {int} REFERENCES users (id),
  commission_minor {int} NOT NULL DEFAULT 0 CHECK (commission_minor >= 0),
  commission_earned_on {date},
  grace_days {int} NOT NULL DEFAULT 30 CHECK (grace_days >= 0),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX success_plans_account_idx ON success_plans (account_id);
CREATE INDEX success_plans_commission_idx ON success_plans (commission_user_id);

CREATE TABLE success_outcomes (
  id {pk},
  success_plan_id {int} NOT NULL REFERENCES success_plans (id) ON DELETE CASCADE,
  measure TEXT NOT NULL CHECK (measure IN ('uptime', 'staff_trained', 'throughput', 'savings',
                                           'other')),
  description TEXT NOT NULL,
  target TEXT,
  actual TEXT
){strict};
CREATE INDEX success_outcomes_plan_idx ON success_outcomes (success_plan_id);

CREATE TABLE milestones (
  id {pk},
  success_plan_id {int} NOT NULL REFERENCES success_plans (id),
  account_id {int} NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('installed', 'acceptance', 'training',
                                                     'go_live', 'first_review', 'other')),
  due_on {date} NOT NULL,
  owner_id {int} REFERENCES users (id),
  customer_owner_id {int} REFERENCES contacts (id),
  status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'met', 'missed')),
  met_on {date},
  evidence TEXT,
  payment_share_percent {int} NOT NULL DEFAULT 0 CHECK (payment_share_percent BETWEEN 0 AND 100),
  commission_holdback_percent {int} NOT NULL DEFAULT 0
    CHECK (commission_holdback_percent BETWEEN 0 AND 100),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX milestones_plan_idx ON milestones (success_plan_id);
CREATE INDEX milestones_account_idx ON milestones (account_id, due_on);

CREATE TABLE trials (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  product_id {int} REFERENCES products (id),
  opportunity_id {int} REFERENCES opportunities (id),
  owner_id {int} NOT NULL REFERENCES users (id),
  starts_on {date} NOT NULL,
  ends_on {date} NOT NULL,
  objectives TEXT NOT NULL,
  success_criteria TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'running', 'ended')),
  results TEXT,
  decision TEXT CHECK (decision IN ('adopt', 'extend', 'reject')),
  decided_on {date},
  implementation_plan TEXT,
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX trials_account_idx ON trials (account_id);
CREATE INDEX trials_open_idx ON trials (decision, ends_on);

CREATE TABLE trial_contacts (
  trial_id {int} NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  contact_id {int} NOT NULL REFERENCES contacts (id),
  PRIMARY KEY (trial_id, contact_id)
){strict};

CREATE TABLE trial_markers (
  id {pk},
  trial_id {int} NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  due_on {date} NOT NULL,
  done_on {date},
  notes TEXT
){strict};
CREATE INDEX trial_markers_trial_idx ON trial_markers (trial_id);

CREATE TABLE case_slas (
  id {pk},
  kind TEXT NOT NULL,
  priority TEXT NOT NULL,
  first_response_hours {int} NOT NULL CHECK (first_response_hours > 0),
  resolution_hours {int} NOT NULL CHECK (resolution_hours > 0),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1,
  UNIQUE (kind, priority)
){strict};

CREATE TABLE cases (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  contact_id {int} REFERENCES contacts (id),
  kind TEXT NOT NULL CHECK (kind IN ('billing_query', 'complaint', 'technical', 'return', 'order',
                                     'other')),
  priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  subject TEXT NOT NULL,
  description TEXT,
  owner_id {int} NOT NULL REFERENCES users (id),
  departments TEXT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'waiting_on_customer', 'resolved',
                                                        'closed')),
  opened_at {int} NOT NULL,
  first_response_due_at {int} NOT NULL,
  resolution_due_at {int} NOT NULL,
  first_response_at {int},
  resolved_at {int},
  resolution TEXT,
  escalation_level {int} NOT NULL DEFAULT 0,
  escalated_to_id {int} REFERENCES users (id),
  escalated_at {int},
  review_task_id {int} REFERENCES tasks (id),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX cases_account_idx ON cases (account_id, opened_at);
CREATE INDEX cases_owner_idx ON cases (owner_id, status);
CREATE INDEX cases_open_idx ON cases (status, resolution_due_at);

CREATE TABLE case_messages (
  id {pk},
  case_id {int} NOT NULL REFERENCES cases (id),
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
  author_id {int} REFERENCES users (id),
  contact_id {int} REFERENCES contacts (id),
  body TEXT NOT NULL,
  created_at {int} NOT NULL
){strict};
CREATE INDEX case_messages_case_idx ON case_messages (case_id, created_at);

ALTER TABLE purchases ADD COLUMN renews_on {date};
CREATE INDEX purchases_renews_idx ON purchases (renews_on);

CREATE TABLE usage_records (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  product_id {int} NOT NULL REFERENCES products (id),
  period TEXT NOT NULL CHECK (length(period) = 7),
  quantity {int} NOT NULL CHECK (quantity >= 0),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1,
  UNIQUE (account_id, product_id, period)
){strict};

CREATE TABLE alerts (
  id {pk},
  kind TEXT NOT NULL CHECK (kind IN ('warranty_ending', 'short_dated_full_price',
                                     'bought_beyond_usage', 'renewal_due', 'contact_overdue',
                                     'trial_without_decision')),
  account_id {int} NOT NULL REFERENCES accounts (id),
  subject_key TEXT NOT NULL,
  reason TEXT NOT NULL,
  user_id {int} REFERENCES users (id),
  task_id {int} REFERENCES tasks (id),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dismissed')),
  raised_at {int} NOT NULL,
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1,
  UNIQUE (kind, account_id, subject_key)
){strict};
CREATE INDEX alerts_account_idx ON alerts (account_id, raised_at);
CREATE INDEX alerts_user_idx ON alerts (user_id, status);

CREATE TABLE surveys (
  id {pk},
  account_id {int} NOT NULL REFERENCES accounts (id),
  contact_id {int} NOT NULL REFERENCES contacts (id),
  kind TEXT NOT NULL CHECK (kind IN ('csi', 'csat', 'nps')),
  sent_after TEXT NOT NULL DEFAULT 'manual' CHECK (sent_after IN ('case', 'milestone', 'schedule',
                                                                   'manual')),
  case_id {int} REFERENCES cases (id),
  milestone_id {int} REFERENCES milestones (id),
  sent_by_id {int} REFERENCES users (id),
  token_hash TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'answered')),
  expires_at {int} NOT NULL,
  outbox_id {int} REFERENCES outbox (id),
  score {int},
  comment TEXT,
  answered_at {int},
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX surveys_account_idx ON surveys (account_id, answered_at);
CREATE INDEX surveys_contact_idx ON surveys (contact_id);

CREATE TABLE scheduled_jobs (
  name TEXT PRIMARY KEY,
  next_run_at {int} NOT NULL,
  last_started_at {int},
  last_finished_at {int},
  last_result TEXT,
  run_by TEXT
){strict};
INSERT INTO scheduled_jobs (name, next_run_at) VALUES ('nightly-alerts', 0);
INSERT INTO scheduled_jobs (name, next_run_at) VALUES ('case-escalation', 0);
)SQL";

Status ApplyCustomerSuccess(Transaction& transaction) {
  RAPPORT_RETURN_IF_ERROR(
      transaction.ExecuteScript(RenderSchema(transaction.backend(), kCustomerSuccess)));
  // Service levels by kind and priority (hours to first response, to resolution); admins tune them.
  const std::pair<const char*, std::pair<int, int>> by_priority[] = {
      {"urgent", {1, 8}}, {"high", {4, 24}}, {"normal", {8, 72}}, {"low", {24, 168}}};
  for (const char* kind : {"billing_query", "complaint", "technical", "return", "order", "other"}) {
    for (const auto& [priority, hours] : by_priority) {
      RAPPORT_RETURN_IF_ERROR(transaction.Execute(
          "INSERT INTO case_slas (kind, priority, first_response_hours, resolution_hours, "
          "created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)",
          {std::string(kind), std::string(priority), std::int64_t{hours.first},
           std::int64_t{hours.second}}));
    }
  }
  RAPPORT_RETURN_IF_ERROR(WidenCheck(transaction, "outbox", "kind", "kind IN ('introduction')",
                                     "kind IN ('introduction', 'survey')"));
  return WidenCheck(transaction, "tasks", "related_type",
                    "related_type IN ('opportunity', 'contact', 'activity', 'purchase')",
                    "related_type IN ('opportunity', 'contact', 'activity', 'purchase', 'case', "
                    "'alert', 'trial', 'milestone')");
}

// Handovers move open cases, live success plans and undecided trials too.
Status ApplyHandoverOfCustomerSuccess(Transaction& transaction) {
  return WidenCheck(
      transaction, "handover_items", "record_type",
      "record_type IN ('account', 'opportunity', 'task', 'meeting',\n"
      "                                                   'territory', 'team_member')",
      "record_type IN ('account', 'opportunity', 'task', 'meeting', 'territory', "
      "'team_member', 'case', 'success_plan', 'trial')");
}

// Revenue splits: who shares in a deal's credit, in percent adding up to 100; handovers move them.
constexpr const char* kOpportunitySplits = R"SQL(
CREATE TABLE opportunity_splits (
  opportunity_id {int} NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
  user_id {int} NOT NULL REFERENCES users (id),
  percent {int} NOT NULL CHECK (percent BETWEEN 1 AND 100),
  PRIMARY KEY (opportunity_id, user_id)
){strict};
CREATE INDEX opportunity_splits_user_idx ON opportunity_splits (user_id);
)SQL";

Status ApplyOpportunitySplits(Transaction& transaction) {
  RAPPORT_RETURN_IF_ERROR(
      transaction.ExecuteScript(RenderSchema(transaction.backend(), kOpportunitySplits)));
  return WidenCheck(transaction, "handover_items", "record_type",
                    "record_type IN ('account', 'opportunity', 'task', 'meeting', 'territory', "
                    "'team_member', 'case', 'success_plan', 'trial')",
                    "record_type IN ('account', 'opportunity', 'task', 'meeting', 'territory', "
                    "'team_member', 'case', 'success_plan', 'trial', 'split')");
}

// Advisory boards: the KOLs invited, whether they came, and what they said.
constexpr const char* kAdvisoryBoards = R"SQL(
CREATE TABLE advisory_boards (
  id {pk},
  name TEXT NOT NULL,
  topic TEXT,
  held_on {date} NOT NULL,
  owner_id {int} NOT NULL REFERENCES users (id),
  account_id {int} REFERENCES accounts (id),
  location TEXT,
  summary TEXT,
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE INDEX advisory_boards_held_idx ON advisory_boards (held_on);

CREATE TABLE advisory_board_members (
  board_id {int} NOT NULL REFERENCES advisory_boards (id) ON DELETE CASCADE,
  contact_id {int} NOT NULL REFERENCES contacts (id),
  status TEXT NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'accepted', 'declined',
                                                           'attended', 'no_show')),
  said TEXT,
  PRIMARY KEY (board_id, contact_id)
){strict};
CREATE INDEX advisory_board_members_contact_idx ON advisory_board_members (contact_id);
)SQL";

Status ApplyAdvisoryBoards(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kAdvisoryBoards));
}

// Bulk imports: one row per import (who, what, how it went, the rejected rows as CSV), written
// when it starts and settled in the same transaction as the rows it writes. Activities and sales
// lines gain the external id that imports upsert by, as accounts, contacts and deals have.
constexpr const char* kImports = R"SQL(
CREATE TABLE imports (
  id {pk},
  record_type TEXT NOT NULL CHECK (record_type IN ('accounts', 'contacts', 'opportunities',
                                                   'activities', 'sales_lines')),
  file_name TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
  dry_run {int} NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),
  all_or_nothing {int} NOT NULL DEFAULT 1 CHECK (all_or_nothing IN (0, 1)),
  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'rejected',
                                                           'failed')),
  rows_read {int} NOT NULL DEFAULT 0,
  created_count {int} NOT NULL DEFAULT 0,
  updated_count {int} NOT NULL DEFAULT 0,
  unchanged_count {int} NOT NULL DEFAULT 0,
  rejected_count {int} NOT NULL DEFAULT 0,
  problem TEXT,
  rejections TEXT,
  started_by {int} REFERENCES users (id),
  started_at {int} NOT NULL,
  finished_at {int}
){strict};
CREATE INDEX imports_started_idx ON imports (started_at);
ALTER TABLE activities ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX activities_external_idx ON activities (external_id);
ALTER TABLE sales_lines ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX sales_lines_external_idx ON sales_lines (external_id);
)SQL";

Status ApplyImports(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kImports));
}

// Two shipped migrations were later edited in place, so databases made before the edits differ
// from new ones: migration 4 gained handover_items.to_territory_id (territory splits; handovers
// fail without it) and migration 1 lost purchases_warranty_idx (which the nightly warranty alerts
// read by). This brings both kinds of database to the same schema.
Status ApplySchemaRepair(Transaction& transaction) {
  RAPPORT_ASSIGN_OR_RETURN(bool has_column,
                           ColumnExists(transaction, "handover_items", "to_territory_id"));
  if (!has_column) {
    RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(
        RenderSchema(transaction.backend(),
                     "ALTER TABLE handover_items ADD COLUMN to_territory_id {int} REFERENCES "
                     "territories (id)")));
  }
  return transaction.ExecuteScript(
      "CREATE INDEX IF NOT EXISTS purchases_warranty_idx ON purchases (warranty_end)");
}

// A target may be set on a territory (a manager splitting a rep's target by territory), so
// coverage and attainment show per territory as well as per person, account and deal.
constexpr const char* kTerritoryTargets = R"SQL(
ALTER TABLE targets ADD COLUMN territory_id {int} REFERENCES territories (id);
CREATE INDEX targets_territory_idx ON targets (territory_id);
)SQL";

Status ApplyTerritoryTargets(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kTerritoryTargets));
}

// A rep's accounts by name are read per territory and per owner, in name order, from these
// (see api::List); they replace the single-column indexes they start with.
constexpr const char* kAccountsByNameInReach = R"SQL(
CREATE INDEX accounts_territory_name_idx ON accounts (territory_id, name, id);
CREATE INDEX accounts_owner_name_idx ON accounts (owner_id, name, id);
DROP INDEX accounts_territory_idx;
DROP INDEX accounts_owner_idx;
)SQL";

Status ApplyAccountsByNameInReach(Transaction& transaction) {
  return transaction.ExecuteScript(kAccountsByNameInReach);
}

// A team member carries its account's name, kept true by the database, so that the accounts a
// rep is on the team of come in name order from one index (api::List's team stream) instead of
// every one of them being read and sorted (1,900 for a rep of the 1M demo: 2.5 ms a page). The
// new index also serves what the user_id index it replaces did.
constexpr const char* kTeamMembersByAccountName = R"SQL(
ALTER TABLE account_team_members ADD COLUMN account_name TEXT NOT NULL DEFAULT '';
)SQL";

Status ApplyTeamMembersByAccountName(Transaction& transaction) {
  RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(kTeamMembersByAccountName));
  for (const std::string& statement : KeepCopiedColumn(
           transaction.backend(),
           {"account_team_members", "account_name", "account_id", "accounts", "name"})) {
    RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(statement));
  }
  return transaction.ExecuteScript(
      "CREATE INDEX account_team_members_user_name_idx ON account_team_members (user_id, "
      "account_name, account_id);\n"
      "DROP INDEX account_team_members_user_idx;");
}

// SQLite's search indexes remade without word positions (see FullTextDetail); PostgreSQL's are
// unchanged.
Status ApplySearchIndexesWithoutPositions(Transaction& transaction) {
  for (const FullTextIndex& index : SearchIndexesBefore28()) {
    for (const std::string& statement : DropFullTextIndex(transaction.backend(), index)) {
      RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(statement));
    }
    if (transaction.backend() != Backend::kSqlite) continue;
    for (const std::string& statement :
         CreateFullTextIndex(transaction.backend(), index, FullTextDetail::kRowsOnly)) {
      RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(statement));
    }
  }
  return Ok();
}

// The references to an activity (from the outbox, a call plan) indexed: deleting an activity
// checks them, and without an index read the whole table (1M accounts, 266,647 outbox messages:
// 0.22 s per activity deleted).
Status ApplyActivityReferenceIndexes(Transaction& transaction) {
  return transaction.ExecuteScript(
      "CREATE INDEX outbox_activity_idx ON outbox (activity_id);\n"
      "CREATE INDEX call_plans_activity_idx ON call_plans (activity_id);");
}

// Complete records, as a customer's last CRM kept them: an account's billing address (street,
// city and country beside the region and postcode it had), shipping address, switchboard,
// website, email domain, industry, size and identifiers; a contact's salutation, department and
// mobile (a file's Phone and MobilePhone are two numbers, not one). Countries are ISO 3166-1
// alpha-2 codes (records/countries.hpp checks which).
constexpr const char* kCompleteRecords = R"SQL(
ALTER TABLE accounts ADD COLUMN street TEXT;
ALTER TABLE accounts ADD COLUMN city TEXT;
ALTER TABLE accounts ADD COLUMN country TEXT CHECK (length(country) = 2 AND upper(country) = country);
ALTER TABLE accounts ADD COLUMN shipping_street TEXT;
ALTER TABLE accounts ADD COLUMN shipping_city TEXT;
ALTER TABLE accounts ADD COLUMN shipping_region TEXT;
ALTER TABLE accounts ADD COLUMN shipping_postcode TEXT;
ALTER TABLE accounts ADD COLUMN shipping_country TEXT
  CHECK (length(shipping_country) = 2 AND upper(shipping_country) = shipping_country);
ALTER TABLE accounts ADD COLUMN phone TEXT;
ALTER TABLE accounts ADD COLUMN website TEXT;
ALTER TABLE accounts ADD COLUMN email_domain TEXT;
ALTER TABLE accounts ADD COLUMN industry TEXT;
ALTER TABLE accounts ADD COLUMN employees {int} CHECK (employees >= 0);
ALTER TABLE accounts ADD COLUMN beds {int} CHECK (beds >= 0);
ALTER TABLE accounts ADD COLUMN description TEXT;
ALTER TABLE accounts ADD COLUMN ods_code TEXT;
ALTER TABLE accounts ADD COLUMN gln TEXT;
ALTER TABLE accounts ADD COLUMN company_number TEXT;
ALTER TABLE contacts ADD COLUMN salutation TEXT;
ALTER TABLE contacts ADD COLUMN department TEXT;
ALTER TABLE contacts ADD COLUMN mobile TEXT;
)SQL";

Status ApplyCompleteRecords(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kCompleteRecords));
}

// Custom fields (issue 21): an admin's fields on accounts, contacts, opportunities, activities and
// cases. Their definitions are rows; a record keeps its values in one JSON object (`custom`,
// keyed by the field's key), read with the record at no extra query. A picklist's options are
// rows too: renamed (label) or retired without touching the values records hold (value).
constexpr const char* kCustomFields = R"SQL(
CREATE TABLE custom_fields (
  id {pk},
  record_type TEXT NOT NULL CHECK (record_type = 'accounts' OR record_type = 'contacts'
    OR record_type = 'opportunities' OR record_type = 'activities' OR record_type = 'cases'),
  key TEXT NOT NULL CHECK (length(key) >= 1 AND length(key) <= 40),
  label TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type = 'text' OR type = 'long_text' OR type = 'number'
    OR type = 'money' OR type = 'date' OR type = 'checkbox' OR type = 'picklist'
    OR type = 'multi_picklist' OR type = 'user' OR type = 'account'),
  required {int} NOT NULL DEFAULT 0 CHECK (required = 0 OR required = 1),
  max_length {int} CHECK (max_length > 0),
  min_value {int},
  max_value {int},
  help TEXT,
  position {int} NOT NULL DEFAULT 0,
  archived_at {int},
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1,
  UNIQUE (record_type, key)
){strict};
CREATE TABLE custom_field_options (
  id {pk},
  field_id {int} NOT NULL REFERENCES custom_fields (id),
  value TEXT NOT NULL,
  label TEXT NOT NULL,
  position {int} NOT NULL DEFAULT 0,
  retired {int} NOT NULL DEFAULT 0 CHECK (retired = 0 OR retired = 1),
  UNIQUE (field_id, value)
){strict};
ALTER TABLE accounts ADD COLUMN custom TEXT;
ALTER TABLE contacts ADD COLUMN custom TEXT;
ALTER TABLE opportunities ADD COLUMN custom TEXT;
ALTER TABLE activities ADD COLUMN custom TEXT;
ALTER TABLE cases ADD COLUMN custom TEXT;
)SQL";

Status ApplyCustomFields(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kCustomFields));
}

// A contact's mailing address, assistant and preferred channel, and their consent: whether they
// opted in to email or out of it, when and how we learnt it, and whether they asked not to be
// contacted at all (introductions and surveys pass them by).
constexpr const char* kContactReach = R"SQL(
ALTER TABLE contacts ADD COLUMN mailing_street TEXT;
ALTER TABLE contacts ADD COLUMN mailing_city TEXT;
ALTER TABLE contacts ADD COLUMN mailing_region TEXT;
ALTER TABLE contacts ADD COLUMN mailing_postcode TEXT;
ALTER TABLE contacts ADD COLUMN mailing_country TEXT
  CHECK (length(mailing_country) = 2 AND upper(mailing_country) = mailing_country);
ALTER TABLE contacts ADD COLUMN assistant_name TEXT;
ALTER TABLE contacts ADD COLUMN assistant_phone TEXT;
ALTER TABLE contacts ADD COLUMN preferred_channel TEXT CHECK (preferred_channel = 'email'
  OR preferred_channel = 'phone' OR preferred_channel = 'mobile' OR preferred_channel = 'visit'
  OR preferred_channel = 'video' OR preferred_channel = 'letter');
ALTER TABLE contacts ADD COLUMN email_opted_in {int} NOT NULL DEFAULT 0
  CHECK (email_opted_in = 0 OR email_opted_in = 1);
ALTER TABLE contacts ADD COLUMN email_opted_out {int} NOT NULL DEFAULT 0
  CHECK (email_opted_out = 0 OR email_opted_out = 1);
ALTER TABLE contacts ADD COLUMN consent_on {date};
ALTER TABLE contacts ADD COLUMN consent_source TEXT;
ALTER TABLE contacts ADD COLUMN do_not_contact {int} NOT NULL DEFAULT 0
  CHECK (do_not_contact = 0 OR do_not_contact = 1);
)SQL";

Status ApplyContactReach(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kContactReach));
}

// The products on a deal: a line's total is quantity × sale price less the discount, and the
// deal's amount is the sum of its lines' totals while it has any (selling/line_items).
constexpr const char* kOpportunityLineItems = R"SQL(
CREATE TABLE opportunity_line_items (
  id {pk},
  opportunity_id {int} NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
  position {int} NOT NULL,
  product_id {int} NOT NULL REFERENCES products (id),
  quantity {int} NOT NULL CHECK (quantity >= 1),
  list_price_minor {int} NOT NULL CHECK (list_price_minor >= 0),
  sale_price_minor {int} NOT NULL CHECK (sale_price_minor >= 0),
  discount_percent {int} NOT NULL DEFAULT 0
    CHECK (discount_percent >= 0 AND discount_percent <= 100),
  total_minor {int} NOT NULL CHECK (total_minor >= 0),
  description TEXT,
  UNIQUE (opportunity_id, position)
){strict};
CREATE INDEX opportunity_line_items_product_idx ON opportunity_line_items (product_id);
)SQL";

Status ApplyOpportunityLineItems(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kOpportunityLineItems));
}

// The company's own currency (reports and forecasts are in it; at first, the one most of its
// deals are in, else GBP) and the dated rates that convert other currencies to it
// (settings/currencies): a rate holds from its date until the next one.
constexpr const char* kCurrencies = R"SQL(
CREATE TABLE company_settings (
  id {pk},
  currency TEXT NOT NULL DEFAULT 'GBP'
    CHECK (length(currency) = 3 AND upper(currency) = currency),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
INSERT INTO company_settings (currency, created_at, updated_at)
SELECT coalesce((SELECT currency FROM opportunities GROUP BY currency
                 ORDER BY count(*) DESC, currency LIMIT 1), 'GBP'), 0, 0;
CREATE TABLE exchange_rates (
  id {pk},
  currency TEXT NOT NULL CHECK (length(currency) = 3 AND upper(currency) = currency),
  valid_from {date} NOT NULL,
  rate_micros {int} NOT NULL CHECK (rate_micros > 0),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1,
  UNIQUE (currency, valid_from)
){strict};
)SQL";

Status ApplyCurrencies(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kCurrencies));
}

// Files attached to records (files/): each attachment hangs off exactly one record and goes when
// the record does; the bytes are kept once per content, under their SHA-256, and go with the last
// attachment that names them. attachments_in_reach gives each attachment the account it belongs
// to, through its record, for the reach rules.
constexpr const char* kAttachments = R"SQL(
CREATE TABLE file_contents (
  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  size_bytes {int} NOT NULL CHECK (size_bytes > 0),
  content {blob} NOT NULL
){strict};
CREATE TABLE attachments (
  id {pk},
  account_id {int} REFERENCES accounts (id) ON DELETE CASCADE,
  contact_id {int} REFERENCES contacts (id) ON DELETE CASCADE,
  opportunity_id {int} REFERENCES opportunities (id) ON DELETE CASCADE,
  success_plan_id {int} REFERENCES success_plans (id) ON DELETE CASCADE,
  milestone_id {int} REFERENCES milestones (id) ON DELETE CASCADE,
  trial_id {int} REFERENCES trials (id) ON DELETE CASCADE,
  case_id {int} REFERENCES cases (id) ON DELETE CASCADE,
  file_name TEXT NOT NULL CHECK (length(file_name) >= 1 AND length(file_name) <= 255),
  content_type TEXT NOT NULL,
  size_bytes {int} NOT NULL CHECK (size_bytes > 0),
  sha256 TEXT NOT NULL REFERENCES file_contents (sha256),
  description TEXT,
  uploaded_by {int} REFERENCES users (id),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1,
  CHECK ((CASE WHEN account_id IS NULL THEN 0 ELSE 1 END) +
    (CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END) +
    (CASE WHEN opportunity_id IS NULL THEN 0 ELSE 1 END) +
    (CASE WHEN success_plan_id IS NULL THEN 0 ELSE 1 END) +
    (CASE WHEN milestone_id IS NULL THEN 0 ELSE 1 END) +
    (CASE WHEN trial_id IS NULL THEN 0 ELSE 1 END) +
    (CASE WHEN case_id IS NULL THEN 0 ELSE 1 END) = 1)
){strict};
CREATE INDEX attachments_account_idx ON attachments (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX attachments_contact_idx ON attachments (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX attachments_opportunity_idx ON attachments (opportunity_id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX attachments_success_plan_idx ON attachments (success_plan_id) WHERE success_plan_id IS NOT NULL;
CREATE INDEX attachments_milestone_idx ON attachments (milestone_id) WHERE milestone_id IS NOT NULL;
CREATE INDEX attachments_trial_idx ON attachments (trial_id) WHERE trial_id IS NOT NULL;
CREATE INDEX attachments_case_idx ON attachments (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX attachments_sha256_idx ON attachments (sha256);
CREATE VIEW attachments_in_reach AS
SELECT f.id, coalesce(
    f.account_id,
    (SELECT r.account_id FROM contacts r WHERE r.id = f.contact_id),
    (SELECT r.account_id FROM opportunities r WHERE r.id = f.opportunity_id),
    (SELECT r.account_id FROM success_plans r WHERE r.id = f.success_plan_id),
    (SELECT r.account_id FROM milestones r WHERE r.id = f.milestone_id),
    (SELECT r.account_id FROM trials r WHERE r.id = f.trial_id),
    (SELECT r.account_id FROM cases r WHERE r.id = f.case_id)) AS account_id
FROM attachments f;
)SQL";

Status ApplyAttachments(Transaction& transaction) {
  RAPPORT_RETURN_IF_ERROR(
      transaction.ExecuteScript(RenderSchema(transaction.backend(), kAttachments)));
  for (const std::string& statement :
       AfterDelete(transaction.backend(), "attachments_release_content", "attachments",
                   "DELETE FROM file_contents WHERE sha256 = OLD.sha256 AND NOT EXISTS "
                   "(SELECT 1 FROM attachments a WHERE a.sha256 = OLD.sha256)")) {
    RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(statement));
  }
  return Ok();
}

// The accounts' search index as migration 28 made it (migration 34 gives it a lead).
const FullTextIndex& AccountSearchBefore34() {
  static const FullTextIndex index = {
      "accounts", {"name", "region", "postcode", "city", "ods_code"}, "t.name"};
  return index;
}

// An account found by its town or its NHS ODS code ("Harrogate", "RCD") as well as its name,
// region and postcode: the accounts' search index remade with the two columns.
Status ApplyAccountSearchByCityAndCode(Transaction& transaction) {
  for (const std::string& statement : ReplaceFullTextIndex(
           transaction.backend(), SearchIndexesBefore28().at(0), AccountSearchBefore34())) {
    RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(statement));
  }
  return Ok();
}

// A whole export's import (moving/): one row per run, the report kept as JSON once it ends;
// each of its files of records has its own imports row besides. Tasks gain the external id an
// open task of another CRM is found by again.
constexpr const char* kImportBooks = R"SQL(
CREATE TABLE import_books (
  id {pk},
  source TEXT NOT NULL CHECK (source = 'salesforce' OR source = 'hubspot'),
  file_name TEXT NOT NULL,
  dry_run {int} NOT NULL DEFAULT 0 CHECK (dry_run = 0 OR dry_run = 1),
  status TEXT NOT NULL DEFAULT 'running' CHECK (status = 'running' OR status = 'succeeded' OR
                                                status = 'rejected' OR status = 'failed'),
  problem TEXT,
  report TEXT,
  started_by {int} REFERENCES users (id),
  started_at {int} NOT NULL,
  finished_at {int}
){strict};
CREATE INDEX import_books_started_idx ON import_books (started_at);
ALTER TABLE tasks ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX tasks_external_idx ON tasks (external_id);
)SQL";

Status ApplyImportBooks(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kImportBooks));
}

// Each person's calendar feed: their meetings, visits, planned calls and tasks as iCalendar at a
// secret address, the secret kept hashed; one per person, replaced or revoked by them.
constexpr const char* kCalendarFeeds = R"SQL(
CREATE TABLE calendar_feeds (
  user_id {int} PRIMARY KEY REFERENCES users (id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at {int} NOT NULL
){strict};
)SQL";

Status ApplyCalendarFeeds(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kCalendarFeeds));
}

// Webhooks: the endpoints admins subscribe to events, the events (audit/events.hpp) queued in the
// transaction that made them, one delivery per event and endpoint (retried with backoff, in
// order per record: a delivery behind an earlier one of its record waits as 'queued' until that
// one is done), and each attempt for the delivery log. An endpoint's secret signs what it
// is sent (Standard Webhooks), so it is kept as it is, never returned after it is made.
constexpr const char* kWebhooks = R"SQL(
CREATE TABLE webhook_endpoints (
  id {pk},
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  previous_secret TEXT,
  previous_secret_until {int},
  active {int} NOT NULL DEFAULT 1 CHECK (active = 0 OR active = 1),
  created_by {int} REFERENCES users (id),
  created_at {int} NOT NULL,
  updated_at {int} NOT NULL,
  version {int} NOT NULL DEFAULT 1
){strict};
CREATE TABLE webhook_events (
  id {pk},
  event_key TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  ordering_key TEXT NOT NULL,
  data TEXT NOT NULL,
  changes TEXT NOT NULL,
  created_at {int} NOT NULL
){strict};
CREATE INDEX webhook_events_record_idx ON webhook_events (ordering_key, created_at);
CREATE INDEX webhook_events_created_idx ON webhook_events (created_at);
CREATE TABLE webhook_deliveries (
  id {pk},
  endpoint_id {int} NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id {int} NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  ordering_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status = 'queued' OR status = 'pending' OR status = 'sending' OR
                              status = 'delivered' OR status = 'failed'),
  attempts {int} NOT NULL DEFAULT 0,
  next_attempt_at {int} NOT NULL,
  claimed_until {int},
  last_attempt_at {int},
  last_status {int},
  last_error TEXT,
  delivered_at {int},
  created_at {int} NOT NULL
){strict};
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (endpoint_id, ordering_key, status,
                                                                 event_id);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE TABLE webhook_attempts (
  id {pk},
  delivery_id {int} NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempted_at {int} NOT NULL,
  status_code {int},
  error TEXT,
  duration_ms {int} NOT NULL,
  response TEXT
){strict};
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
)SQL";

Status ApplyWebhooks(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kWebhooks));
}

// Email into the timeline: each person's drop address (its token; a new one retires the old),
// and each message received there, filed on accounts' timelines (the link to each activity) or
// held for its owner to file. One row per message and owner, so a mail server's retry is filed
// once; thread_id is the first message of its thread.
constexpr const char* kInboundEmail = R"SQL(
CREATE TABLE mail_drops (
  user_id {int} PRIMARY KEY REFERENCES users (id),
  token TEXT NOT NULL UNIQUE,
  created_at {int} NOT NULL
){strict};
CREATE TABLE inbound_emails (
  id {pk},
  user_id {int} NOT NULL REFERENCES users (id),
  message_id TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  from_email TEXT NOT NULL,
  from_name TEXT NOT NULL DEFAULT '',
  recipients TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at {int} NOT NULL,
  received_at {int} NOT NULL,
  status TEXT NOT NULL CHECK (status = 'logged' OR status = 'held' OR status = 'discarded'),
  UNIQUE (user_id, message_id)
){strict};
CREATE INDEX inbound_emails_held_idx ON inbound_emails (user_id, status, received_at);
CREATE INDEX inbound_emails_thread_idx ON inbound_emails (thread_id);
CREATE TABLE inbound_email_activities (
  email_id {int} NOT NULL REFERENCES inbound_emails (id) ON DELETE CASCADE,
  activity_id {int} NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
  PRIMARY KEY (email_id, activity_id)
){strict};
CREATE INDEX inbound_email_activities_activity_idx ON inbound_email_activities (activity_id);
)SQL";

Status ApplyInboundEmail(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kInboundEmail));
}

// Invitations by email: a planned call's invitation queued in the outbox, its iCalendar beside
// the text.
Status ApplyEmailedInvitations(Transaction& transaction) {
  RAPPORT_RETURN_IF_ERROR(transaction.Execute("ALTER TABLE outbox ADD COLUMN calendar TEXT"));
  return WidenCheck(transaction, "outbox", "kind", "kind IN ('introduction', 'survey')",
                    "kind IN ('introduction', 'survey', 'invitation')");
}

// Accounts by name, filtered by a word that begins names ("Mer"): the names that begin with it
// sit together in name order, where a walk of the order cannot reach them. An index of the
// name's first three characters (folded) and the name reads them in order, and the search index
// keeps a marker word of those characters, so that it finds the other matches without them
// (api/text_filter). At 1M accounts SQLite's index is rebuilt here.
Status ApplyAccountLeadIndex(Transaction& transaction) {
  static const FullTextIndex after = {
      "accounts", {"name", "region", "postcode", "city", "ods_code"}, "t.name", "name"};
  for (const std::string& statement : CreateLeadIndex(transaction.backend(), after)) {
    RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(statement));
  }
  for (const std::string& statement :
       ReplaceFullTextIndex(transaction.backend(), AccountSearchBefore34(), after)) {
    RAPPORT_RETURN_IF_ERROR(transaction.ExecuteScript(statement));
  }
  return Ok();
}

// Cases and files moved in from another CRM (Salesforce's Case, CaseComment, Attachment and
// ContentVersion, HubSpot's tickets) are found again by the source's id, so that a second run
// updates them rather than adding more.
constexpr const char* kCaseExternalIds = R"SQL(
ALTER TABLE cases ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX cases_external_idx ON cases (external_id);
ALTER TABLE case_messages ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX case_messages_external_idx ON case_messages (external_id);
ALTER TABLE attachments ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX attachments_external_idx ON attachments (external_id);
)SQL";

Status ApplyCaseExternalIds(Transaction& transaction) {
  return transaction.ExecuteScript(RenderSchema(transaction.backend(), kCaseExternalIds));
}

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> migrations = {
      {1, "core records", &ApplyCoreRecords},
      {2, "full-text search", &ApplyFullTextSearch},
      {3, "sign-in sessions", &ApplySessions},
      {4, "handovers, introductions and the outbox", &ApplyHandovers},
      {5, "segments and sponsor peers", &ApplyCoverage},
      {6, "Blue Sheets and lost deals", &ApplyBlueSheets},
      {7, "account revenue over the trailing year", &ApplyAccountRevenue},
      {8, "targets and call plans", &ApplyTargets},
      {9, "segmentation: potential, market share, designation", &ApplySegmentation},
      {10, "customer success: plans, trials, cases, alerts, surveys", &ApplyCustomerSuccess},
      {11, "handovers move cases, success plans and trials", &ApplyHandoverOfCustomerSuccess},
      {12, "opportunity revenue splits", &ApplyOpportunitySplits},
      {13, "advisory boards", &ApplyAdvisoryBoards},
      {14, "bulk imports; external ids on activities and sales lines", &ApplyImports},
      {15, "the same schema for databases made before two migrations were edited",
       &ApplySchemaRepair},
      {16, "targets by territory", &ApplyTerritoryTargets},
      {17, "accounts by name per territory and owner", &ApplyAccountsByNameInReach},
      {18, "team members by account name", &ApplyTeamMembersByAccountName},
      {19, "search indexes without word positions", &ApplySearchIndexesWithoutPositions},
      {20, "SQLite checks without IN lists", &WriteSqliteChecksWithoutInLists},
      {21, "indexes for the references to activities", &ApplyActivityReferenceIndexes},
      {22, "complete accounts and contacts: addresses, phones, website, size, identifiers",
       &ApplyCompleteRecords},
      {23, "custom fields on accounts, contacts, opportunities, activities and cases",
       &ApplyCustomFields},
      {24, "a contact's mailing address, assistant, preferred channel and consent",
       &ApplyContactReach},
      {25, "opportunities' line items: products, quantities, prices and discounts",
       &ApplyOpportunityLineItems},
      {26, "the company's currency and dated exchange rates", &ApplyCurrencies},
      {27, "files attached to records", &ApplyAttachments},
      {28, "accounts found by city and ODS code", &ApplyAccountSearchByCityAndCode},
      {29, "whole exports imported from Salesforce or HubSpot; tasks' external ids",
       &ApplyImportBooks},
      {30, "calendar feeds", &ApplyCalendarFeeds},
      {31, "webhooks", &ApplyWebhooks},
      {32, "email into the timeline", &ApplyInboundEmail},
      {33, "invitations by email", &ApplyEmailedInvitations},
      {34,
       "accounts by name: the names that begin with a word typed read from an index of their own",
       &ApplyAccountLeadIndex},
      {35, "cases, their messages and files found again by the id they had in another CRM",
       &ApplyCaseExternalIds},
  };
  return migrations;
}

const std::vector<FullTextIndex>& SearchIndexes() {
  static const std::vector<FullTextIndex> indexes = {
      {"accounts", {"name", "region", "postcode", "city", "ods_code"}, "t.name", "name"},
      {"contacts",
       {"first_name", "last_name", "job_title", "email"},
       "t.first_name || ' ' || t.last_name"},
      {"opportunities", {"name"}, "t.name"},
  };
  return indexes;
}

const std::vector<std::string>& DomainTables() {
  static const std::vector<std::string> tables = {"users",
                                                  "territories",
                                                  "distributors",
                                                  "accounts",
                                                  "contacts",
                                                  "account_team_members",
                                                  "products",
                                                  "purchases",
                                                  "sales_lines",
                                                  "opportunities",
                                                  "opportunity_contact_roles",
                                                  "opportunity_splits",
                                                  "opportunity_line_items",
                                                  "activities",
                                                  "activity_contacts",
                                                  "tasks",
                                                  "audit_history",
                                                  "sessions",
                                                  "handovers",
                                                  "handover_items",
                                                  "outbox",
                                                  "introductions",
                                                  "message_templates",
                                                  "segments",
                                                  "blue_sheets",
                                                  "buying_influences",
                                                  "blue_sheet_actions",
                                                  "targets",
                                                  "call_plans",
                                                  "call_plan_contacts",
                                                  "segmentation_rules",
                                                  "success_plans",
                                                  "success_outcomes",
                                                  "milestones",
                                                  "trials",
                                                  "trial_contacts",
                                                  "trial_markers",
                                                  "case_slas",
                                                  "cases",
                                                  "case_messages",
                                                  "usage_records",
                                                  "alerts",
                                                  "surveys",
                                                  "advisory_boards",
                                                  "advisory_board_members",
                                                  "imports",
                                                  "custom_fields",
                                                  "custom_field_options",
                                                  "exchange_rates",
                                                  "file_contents",
                                                  "attachments"};
  return tables;
}

}  // namespace rapport::db
