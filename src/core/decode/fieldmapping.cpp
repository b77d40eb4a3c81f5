// SPDX-License-Identifier: MIT
#include "fieldmapping.h"
