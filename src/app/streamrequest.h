// SPDX-License-Identifier: MIT
#pragma once

#include "core/check/streamcheck.h"
#include "core/decode/fieldmapping.h"
#include "core/source/sourceconfig.h"

namespace Clickscope {

// What the window connects with: how to open the stream, how to read its clicks, and what to
// expect of it.
struct StreamRequest
{
    SourceConfig config;
    FieldMapping mapping;
    QList<StreamCheck> checks;
};

}   // namespace Clickscope
