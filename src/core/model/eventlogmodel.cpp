// SPDX-License-Identifier: MIT
#include "eventlogmodel.h"
