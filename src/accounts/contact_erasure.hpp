// A contact's erasure (the right to be forgotten): POST /api/v1/contacts/{id}/erasure, admins
// only, with the reason in writing. In one transaction the contact keeps its place (the deals,
// cases, surveys and meetings it was part of still count) but nothing that names or reaches the
// person: its name becomes "Erased contact" and every other personal field is cleared (email,
// phones, address, assistant, title, custom fields), it is marked do-not-contact, its change
// history is replaced by one entry saying who erased it, when and why; its files are deleted
// (and their bytes, unless another record has the same file); the emails received from it or
// logged with it are deleted and their activities keep only that an email came; its case
// messages and survey comments are blanked; messages waiting in the outbox to it are cancelled
// and sent ones blanked. The functions hold no state.
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::accounts {

void RegisterContactErasureRoute(api::Router& router, api::ApiContext& context);

}  // namespace rapport::accounts
