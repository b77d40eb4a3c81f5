// SPDX-License-Identifier: MIT
#pragma once

#include <QFile>
#include <QtGlobal>

#include <sys/types.h>

namespace Clickscope::Testing {

// A "Name:   123 kB" field of /proc/<pid>/status (this process by default), in bytes; 0 when it
// cannot be read.
inline qint64 statusBytes(const QByteArray &field, pid_t pid = 0)
{
    QFile status(pid > 0 ? QStringLiteral("/proc/%1/status").arg(pid) : QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(field) && line.size() > field.size() && line.at(field.size()) == ':')
            return line.mid(field.size() + 1).trimmed().split(' ').constFirst().toLongLong() * 1024;
    }
    return 0;
}

// The resident set size of a process, now. Tests that guard a memory bound assert on it rather
// than trusting that buffers stay small.
inline qint64 residentBytes(pid_t pid = 0) { return statusBytes("VmRSS", pid); }

// The largest resident set size the process has had since it started.
inline qint64 peakResidentBytes(pid_t pid = 0) { return statusBytes("VmHWM", pid); }

}   // namespace Clickscope::Testing
