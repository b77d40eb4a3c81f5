// SPDX-License-Identifier: MIT
#include "trafficgenerator.h"

namespace Clickscope {

TrafficGenerator::TrafficGenerator(QObject *parent) : QObject(parent) {}

} // namespace Clickscope
