// SPDX-License-Identifier: MIT
#pragma once

#include <cerrno>
#include <cstdio>

namespace Clickscope::Bench {

// One line of progress or trouble on stderr, after the program's name. Figures go to stdout.
template<typename... Args>
void progress(const char *format, Args... args)
{
    std::fprintf(stderr, "%s: ", program_invocation_short_name);
    if constexpr (sizeof...(Args) == 0)
        std::fputs(format, stderr);
    else
        std::fprintf(stderr, format, args...);
    std::fputc('\n', stderr);
}

}   // namespace Clickscope::Bench
