// SPDX-License-Identifier: MIT
#include "core/logging.h"

Q_LOGGING_CATEGORY(lcSse, "clickscope.sse", QtWarningMsg)
Q_LOGGING_CATEGORY(lcSource, "clickscope.source", QtWarningMsg)
