// The web app compiled into this binary: web/dist's files at build time, written into the
// binary by cmake/embed_web_app.cmake. A binary built without it (RAPPORT_WEB=OFF, or the
// rapport-bare the build uses to describe the API for the web app's own types) links
// no_embedded_web_app.cpp instead, which holds none.
#pragma once

#include <span>

#include "server/web_app.hpp"

namespace rapport::cli {

std::span<const server::WebAppFile> EmbeddedWebApp();

}  // namespace rapport::cli
