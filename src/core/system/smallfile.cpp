// SPDX-License-Identifier: MIT
#include "core/system/smallfile.h"

#include <QFile>
#include <QFileInfo>
#include <QLocale>

namespace Clickscope {

Result<QByteArray> readSmallFile(const QString &path, qint64 maxBytes)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isFile())
        return unexpected(QStringLiteral("'%1' is not a regular file").arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return unexpected(QStringLiteral("cannot read '%1': %2").arg(path, file.errorString()));
    const auto size = [](qint64 bytes) {
        return QLocale::c().formattedDataSize(bytes, bytes < 1024 ? 0 : 1, QLocale::DataSizeIecFormat);
    };
    // One byte past the bound: a file may grow between the look and the read.
    QByteArray bytes = file.read(maxBytes + 1);
    if (file.size() > maxBytes || bytes.size() > maxBytes)
        return unexpected(QStringLiteral("'%1' is %2, over the %3 read from such a file")
                              .arg(path, size(std::max(file.size(), qint64(bytes.size()))), size(maxBytes)));
    return bytes;
}

}   // namespace Clickscope
