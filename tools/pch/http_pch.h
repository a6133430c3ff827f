// Precompiled after lib_pch.h for the sources that serve or speak HTTP/1.1
// (BUILD: http_lib_pch): Boost.Beast and Asio, about 10 s of each such
// file's compile otherwise. Only headers from Debian packages.
#ifndef KAIZEN_TOOLS_PCH_HTTP_PCH_H_
#define KAIZEN_TOOLS_PCH_HTTP_PCH_H_

#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

#endif  // KAIZEN_TOOLS_PCH_HTTP_PCH_H_
