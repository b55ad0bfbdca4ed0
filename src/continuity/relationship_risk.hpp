// The relationship-risk report (the revolving door): customer accounts ranked by revenue over the
// last twelve months, each with what puts the relationship at risk. The top fifth by revenue come
// first and are flagged as top accounts.
//   single_threaded       at most one of us has been in touch in the last twelve months
//   one_contact           at most one contact at the customer
//   no_executive_sponsor  a top account where nobody in the team is the executive sponsor
//   sponsor_without_peer  a top account whose executive sponsor has no peer at the customer
//   out_of_cadence        no contact within the account's cadence (its own, else its segment's)
//   owner_leaving         the owner has left, is on leave, or there is no owner
//   owner_new             the owner took the account over in the last 90 days
//   key_contact_gone      a high-influence contact or KOL left the customer in the last year
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::continuity {

void RegisterRelationshipRiskRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::continuity
