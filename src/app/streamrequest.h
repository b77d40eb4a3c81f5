// SPDX-License-Identifier: MIT
#pragma once

#include "core/decode/fieldmapping.h"
#include "core/source/sourceconfig.h"

namespace Clickscope {

// What the window connects with: how to open the stream and how to read its clicks.
struct StreamRequest
{
    SourceConfig config;
    FieldMapping mapping;
};

}   // namespace Clickscope
