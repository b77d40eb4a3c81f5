// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>
#include <QStringView>

#include <array>
#include <optional>

namespace Clickscope {

// Where to find each click field in an event's JSON, for streams whose names the decoder does not
// detect by itself (`{"payload":{"slug":"/a"},"meta":{"at":…}}`). A plain value: the GUI edits
// it, the CLI builds it from `--map link=/payload/slug`, the decoder reads it.
//
// Each field holds an RFC 6901 JSON Pointer ("/payload/slug", "~0" for '~' and "~1" for '/' in
// a key, decimal indexes into arrays), or nothing: then the decoder detects the field by its
// usual names. A mapped field is read from its pointer only, never from the usual names, so an
// override cannot be undone silently by a stray key of the same name.
class FieldMapping
{
public:
    enum class Field { Link, Country, Referrer, Device, Browser, Timestamp, Id };
    static constexpr int kFieldCount = 7;

    // The name a spec uses for `field`: link, country, referrer, device, browser, ts, id.
    static QString fieldName(Field field);
    static std::optional<Field> fieldFromName(QStringView name);

    // Parses "field=/pointer" items. The error quotes the offending item. Naming a field twice is
    // an error, too: one of the two would be dropped without a word otherwise.
    static Result<FieldMapping> parse(const QStringList &specs);

    // Success when `pointer` is a JSON Pointer this class accepts; otherwise why not.
    static Result<void> checkPointer(QStringView pointer);

    // "field=/pointer" for every mapped field, in Field order: parse(toStrings()) gives this
    // mapping back.
    QStringList toStrings() const;

    bool isEmpty() const;
    bool isMapped(Field field) const { return !m_pointers[index(field)].isEmpty(); }
    // The pointer for `field`, or an empty string when the field is detected by name.
    QString pointer(Field field) const { return m_pointers[index(field)]; }

    // Maps `field` to `pointer`, or back to detection when `pointer` is empty. Leaves the mapping
    // as it was when `pointer` is not valid.
    Result<void> setPointer(Field field, const QString &pointer);
    void clear(Field field) { m_pointers[index(field)].clear(); }

    friend bool operator==(const FieldMapping &, const FieldMapping &) = default;

private:
    static constexpr int index(Field field) { return int(field); }

    // An empty string means "not mapped": every valid pointer starts with '/'.
    std::array<QString, kFieldCount> m_pointers;
};

}   // namespace Clickscope
