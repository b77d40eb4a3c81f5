// SPDX-License-Identifier: MIT
#include "clickdecoder.h"
