// SPDX-License-Identifier: MIT
#include "latencyhistogram.h"
