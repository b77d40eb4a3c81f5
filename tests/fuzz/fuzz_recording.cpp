// SPDX-License-Identifier: MIT
// The recording reader on any file. Oracle: reading ends (at the end, or at an error that names
// an offset), within as many records as the file has bytes, and never holds more than a block.
#include "core/record/recordingreader.h"
#include "fuzzinput.h"

#include <QTemporaryFile>

#include <memory>

using namespace Clickscope;
using namespace Clickscope::Fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // One file for the whole run, rewritten for each input.
    static const std::unique_ptr<QTemporaryFile> file = [] {
        auto made = std::make_unique<QTemporaryFile>();
        if (!made->open())
            fail("cannot create a temporary file");
        return made;
    }();
    file->resize(0);
    file->seek(0);
    file->write(reinterpret_cast<const char *>(data), qint64(size));
    file->flush();

    RecordingReader reader;
    if (const Result<void> opened = reader.open(file->fileName()); !opened) {
        FUZZ_CHECK(!opened.error().isEmpty());
        return 0;
    }
    for (size_t records = 0;; ++records) {
        FUZZ_CHECK(records <= size);
        const auto record = reader.next();
        if (!record) {
            FUZZ_CHECK(!record.error().isEmpty());
            break;
        }
        if (!*record)
            break;
        FUZZ_CHECK(reader.offset() <= reader.fileSize());
    }
    return 0;
}
