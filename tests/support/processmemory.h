// SPDX-License-Identifier: MIT
#pragma once

#include <QFile>
#include <QtGlobal>

#include <sys/types.h>

namespace Clickscope::Testing {

// The resident set size of a process (this one by default), in bytes; 0 when it cannot be read.
// Tests that guard a memory bound assert on it rather than trusting that buffers stay small.
inline qint64 residentBytes(pid_t pid = 0)
{
    QFile status(pid > 0 ? QStringLiteral("/proc/%1/status").arg(pid) : QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').constFirst().toLongLong() * 1024;
    }
    return 0;
}

} // namespace Clickscope::Testing
