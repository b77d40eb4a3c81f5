// SPDX-License-Identifier: MIT
#pragma once

namespace Clickscope {
// Placeholder: being written.
}
