// SPDX-License-Identifier: MIT
#include "rateseries.h"
