// SPDX-License-Identifier: MIT
#include "core/system/smallfile.h"

#include <QFile>
#include <QLocale>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Clickscope {
namespace {

QString sizeText(qint64 bytes)
{
    // Exact below a mebibyte, where rounding would make a file and its limit look the same.
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 bytes").arg(bytes);
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

}   // namespace

Result<QByteArray> readSmallFile(const QString &path, qint64 maxBytes)
{
    // Opened without waiting (a pipe nobody writes to would block the open itself), then looked
    // at through the descriptor, so what is read is what was looked at.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return unexpected(
            QStringLiteral("cannot read '%1': %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    struct stat status = {};
    if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(fd);
        return unexpected(QStringLiteral("'%1' is not a regular file").arg(path));
    }
    if (status.st_size > maxBytes) {
        ::close(fd);
        return unexpected(
            QStringLiteral("'%1' is %2, over the limit of %3").arg(path, sizeText(status.st_size), sizeText(maxBytes)));
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    QFile file;
    if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return unexpected(QStringLiteral("cannot read '%1': %2").arg(path, file.errorString()));
    }
    // One byte past what it held: a file that grew since is noticed.
    QByteArray bytes = file.read(std::min<qint64>(status.st_size, maxBytes) + 1);
    if (bytes.size() > maxBytes)
        return unexpected(QStringLiteral("'%1' is over the limit of %2").arg(path, sizeText(maxBytes)));
    return bytes;
}

}   // namespace Clickscope
