// SPDX-License-Identifier: MIT
#include "topcounter.h"
