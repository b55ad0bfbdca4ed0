// Each person's calendar feed: their meetings, visits and calls and their planned calls not yet
// reviewed (from 90 days back to a year ahead) and open tasks with a due date, as iCalendar at a
// secret address that calendar apps subscribe to without signing in. The secret is shown once, kept
// hashed, replaced by asking for a new one and revoked by deleting it; a person who has left
// has no feed.
//   GET    /api/v1/calendar-feed          whether the caller has one, since when
//   POST   /api/v1/calendar-feed          a new secret address (any earlier one stops working)
//   DELETE /api/v1/calendar-feed          revokes it
//   GET    /api/v1/calendar/{token}       the feed (text/calendar; no sign-in)
#pragma once

#include <string>

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::activities {

// `public_url`: where users reach Rapport (no trailing slash), for the feed's address.
void RegisterCalendarFeedRoutes(api::Router& router, api::ApiContext& ctx, std::string public_url);

}  // namespace rapport::activities
