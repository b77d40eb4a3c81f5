// SPDX-License-Identifier: MIT
#pragma once

#include "core/decode/click.h"
#include "core/model/topcounter.h"

#include <array>

namespace Clickscope {

// What clicks are broken down by: country, referrer host, device and browser, each a bounded
// counter of `capacity` values (exact below it, approximate above). A click without a value for
// one of them is not counted there.
struct Breakdowns
{
    explicit Breakdowns(qsizetype capacity);

    void add(const ClickView &click);
    void clear();

    // Their names in reports, and each by its index in kNames.
    static constexpr std::array<const char *, 4> kNames = {"country", "referrer", "device", "browser"};
    const TopCounter &at(std::size_t index) const;

    TopCounter countries;
    TopCounter referrers;
    TopCounter devices;
    TopCounter browsers;
};

}   // namespace Clickscope
