// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

#include <zlib.h>

namespace Clickscope::Testing {

// `piece` repeated `times` times as one gzip member, compressed as it goes: a bomb of hundreds of
// MiB never exists uncompressed in the test.
inline QByteArray gzipped(const QByteArray &piece, int times = 1)
{
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out;
    char buffer[64 * 1024];
    for (int i = 0; i < times; ++i) {
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(piece.constData()));
        z.avail_in = uInt(piece.size());
        const int flush = i + 1 == times ? Z_FINISH : Z_NO_FLUSH;
        do {
            z.next_out = reinterpret_cast<Bytef *>(buffer);
            z.avail_out = sizeof buffer;
            deflate(&z, flush);
            out.append(buffer, qsizetype(sizeof buffer - z.avail_out));
        } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    return out;
}

}   // namespace Clickscope::Testing
