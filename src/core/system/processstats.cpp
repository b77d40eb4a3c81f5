// SPDX-License-Identifier: MIT
#include "core/system/processstats.h"

#include <QDir>

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace Clickscope::ProcessStats {

qint64 statusBytes(QByteArrayView field, qint64 pid)
{
    char path[64];
    if (pid > 0)
        std::snprintf(path, sizeof path, "/proc/%lld/status", static_cast<long long>(pid));
    else
        std::snprintf(path, sizeof path, "/proc/self/status");
    std::FILE *file = std::fopen(path, "r");
    if (!file)
        return 0;
    qint64 bytes = 0;
    char line[256];
    while (std::fgets(line, sizeof line, file)) {
        const QByteArrayView text(line);
        if (!text.startsWith(field) || text.size() <= field.size() || text[field.size()] != ':')
            continue;
        long long kb = 0;
        if (std::sscanf(line + field.size() + 1, " %lld", &kb) == 1)
            bytes = qint64(kb) * 1024;
        break;
    }
    std::fclose(file);
    return bytes;
}

std::optional<double> cpuSeconds(qint64 pid)
{
    if (pid <= 0)
        return std::nullopt;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    std::FILE *file = std::fopen(path, "r");
    if (!file)
        return std::nullopt;
    char line[1024];
    const bool read = std::fgets(line, sizeof line, file) != nullptr;
    std::fclose(file);
    if (!read)
        return std::nullopt;
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const char *p = std::strrchr(line, ')');
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    if (!p || std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return std::nullopt;
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

int openDescriptors(qint64 pid)
{
    const QString dir = pid > 0 ? QStringLiteral("/proc/%1/fd").arg(pid) : QStringLiteral("/proc/self/fd");
    return int(QDir(dir).entryList(QDir::NoDotAndDotDot | QDir::System).size());
}

double ownCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto toSeconds = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return toSeconds(usage.ru_utime) + toSeconds(usage.ru_stime);
}

}   // namespace Clickscope::ProcessStats
