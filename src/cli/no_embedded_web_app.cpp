// A binary without the web app inside (see embedded_web_app.hpp).
#include "cli/embedded_web_app.hpp"

namespace rapport::cli {

std::span<const server::WebAppFile> EmbeddedWebApp() { return {}; }

}  // namespace rapport::cli
