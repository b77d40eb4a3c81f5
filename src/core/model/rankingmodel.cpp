// SPDX-License-Identifier: MIT
#include "rankingmodel.h"
