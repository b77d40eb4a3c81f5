// SPDX-License-Identifier: MIT
#pragma once

#include "decode/click.h"

namespace Clickscope {
// Placeholder: being written.
}
