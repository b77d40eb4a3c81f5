// SPDX-License-Identifier: MIT
#include "core/decode/fieldmapping.h"

namespace Clickscope {
namespace {

constexpr const char16_t *kFieldNames[FieldMapping::kFieldCount] = {u"link",    u"country", u"referrer", u"device",
                                                                    u"browser", u"ts",      u"id"};

QString knownNames() { return QStringLiteral("link, country, referrer, device, browser, ts or id"); }

}   // namespace

QString FieldMapping::fieldName(Field field) { return QString::fromUtf16(kFieldNames[index(field)]); }

std::optional<FieldMapping::Field> FieldMapping::fieldFromName(QStringView name)
{
    for (int i = 0; i < kFieldCount; ++i) {
        if (name == QStringView(kFieldNames[i]))
            return Field(i);
    }
    return std::nullopt;
}

Result<void> FieldMapping::checkPointer(QStringView pointer)
{
    if (!pointer.startsWith(u'/'))
        return unexpected(QStringLiteral("a JSON pointer starts with '/'"));
    for (qsizetype i = 0; i < pointer.size(); ++i) {
        if (pointer[i] != u'~')
            continue;
        if (i + 1 >= pointer.size() || (pointer[i + 1] != u'0' && pointer[i + 1] != u'1'))
            return unexpected(
                QStringLiteral("'~' must be followed by 0 or 1 in a JSON pointer (~0 is '~', ~1 is '/')"));
        ++i;
    }
    return {};
}

Result<FieldMapping> FieldMapping::parse(const QStringList &specs)
{
    const auto fail = [](const QString &item, const QString &why) -> Result<FieldMapping> {
        return unexpected(QStringLiteral("'%1': %2").arg(item, why));
    };
    FieldMapping mapping;
    for (const QString &item : specs) {
        const qsizetype equals = item.indexOf(u'=');
        if (equals < 0)
            return fail(item, QStringLiteral("missing '=' (expected field=/json/pointer)"));
        const QStringView name = QStringView(item).left(equals).trimmed();
        const QString pointer = item.mid(equals + 1);
        const std::optional<Field> field = fieldFromName(name);
        if (!field)
            return fail(item, QStringLiteral("unknown field '%1' (expected %2)").arg(name, knownNames()));
        if (mapping.isMapped(*field))
            return fail(item, QStringLiteral("'%1' is mapped twice").arg(name));
        if (const Result<void> valid = checkPointer(pointer); !valid)
            return fail(item, valid.error());
        mapping.m_pointers[index(*field)] = pointer;
    }
    return mapping;
}

QStringList FieldMapping::toStrings() const
{
    QStringList out;
    for (int i = 0; i < kFieldCount; ++i) {
        if (!m_pointers[i].isEmpty())
            out.append(QString::fromUtf16(kFieldNames[i]) + u'=' + m_pointers[i]);
    }
    return out;
}

bool FieldMapping::isEmpty() const
{
    for (const QString &pointer : m_pointers) {
        if (!pointer.isEmpty())
            return false;
    }
    return true;
}

Result<void> FieldMapping::setPointer(Field field, const QString &pointer)
{
    if (pointer.isEmpty()) {
        clear(field);
        return {};
    }
    if (Result<void> valid = checkPointer(pointer); !valid)
        return valid;
    m_pointers[index(field)] = pointer;
    return {};
}

}   // namespace Clickscope
