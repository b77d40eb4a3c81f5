// SPDX-License-Identifier: MIT
#include "core/model/breakdowns.h"

namespace Clickscope {

Breakdowns::Breakdowns(qsizetype capacity)
    : countries(capacity)
    , referrers(capacity)
    , devices(capacity)
    , browsers(capacity)
{}

void Breakdowns::add(const ClickView &click)
{
    if (!click.country.isEmpty())
        countries.add(click.country);
    if (!click.referrer.isEmpty())
        referrers.add(click.referrer);
    if (!click.device.isEmpty())
        devices.add(click.device);
    if (!click.browser.isEmpty())
        browsers.add(click.browser);
}

const TopCounter &Breakdowns::at(std::size_t index) const
{
    const std::array<const TopCounter *, kNames.size()> inOrder = {&countries, &referrers, &devices, &browsers};
    return *inOrder.at(index);
}

void Breakdowns::clear()
{
    countries.clear();
    referrers.clear();
    devices.clear();
    browsers.clear();
}

}   // namespace Clickscope
