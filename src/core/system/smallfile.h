// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

namespace Clickscope {

// Reads the whole of a file meant to be small (credentials, certificates, a HAR), or says why
// not, naming the path: one that cannot be opened, one that is not a regular file (a device or a
// pipe may never end, and reading one may block), one over `maxBytes`.
Result<QByteArray> readSmallFile(const QString &path, qint64 maxBytes);

}   // namespace Clickscope
