// SPDX-License-Identifier: MIT
#include "timeseriesring.h"
