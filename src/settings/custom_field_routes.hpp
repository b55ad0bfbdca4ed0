// The HTTP routes of custom fields (/api/v1/custom-fields): the fields admins add to accounts,
// contacts, opportunities, activities and cases (records/custom_fields.hpp), read by everyone
// signed in (the app draws its forms from them) and changed by admins. A field's record type,
// key and type are fixed once made; its label, help, limits, order and a pick list's options may
// change; deleting one retires it (archived): records keep its values, forms stop offering it.
#pragma once

#include "api/resource.hpp"

namespace rapport::settings {

void RegisterCustomFieldRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::settings
