// SPDX-License-Identifier: MIT
#include "core/decode/fieldmapping.h"

#include <QTest>

using Clickscope::FieldMapping;
using Clickscope::Result;
using Field = FieldMapping::Field;

class TestFieldMapping : public QObject
{
    Q_OBJECT

private slots:
    void defaultIsEmpty();
    void parse_data();
    void parse();
    void parseErrors_data();
    void parseErrors();
    void roundTrip_data();
    void roundTrip();
    void fieldNames();
    void setPointer();
    void equality();
};

void TestFieldMapping::defaultIsEmpty()
{
    const FieldMapping mapping;
    QVERIFY(mapping.isEmpty());
    QVERIFY(mapping.toStrings().isEmpty());
    for (int f = 0; f < FieldMapping::kFieldCount; ++f) {
        QVERIFY(!mapping.isMapped(Field(f)));
        QVERIFY(mapping.pointer(Field(f)).isEmpty());
    }
    const auto parsed = FieldMapping::parse({});
    QVERIFY(parsed);
    QCOMPARE(*parsed, mapping);
}

void TestFieldMapping::parse_data()
{
    QTest::addColumn<QStringList>("specs");
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("pointer");

    QTest::newRow("link") << QStringList{"link=/payload/slug"} << int(Field::Link) << "/payload/slug";
    QTest::newRow("ts") << QStringList{"ts=/meta/at"} << int(Field::Timestamp) << "/meta/at";
    QTest::newRow("country") << QStringList{"country=/geo/cc"} << int(Field::Country) << "/geo/cc";
    QTest::newRow("referrer") << QStringList{"referrer=/ref"} << int(Field::Referrer) << "/ref";
    QTest::newRow("device") << QStringList{"device=/d"} << int(Field::Device) << "/d";
    QTest::newRow("browser") << QStringList{"browser=/b"} << int(Field::Browser) << "/b";
    QTest::newRow("id") << QStringList{"id=/seq"} << int(Field::Id) << "/seq";
    QTest::newRow("array index") << QStringList{"link=/items/0/slug"} << int(Field::Link) << "/items/0/slug";
    QTest::newRow("escapes kept verbatim") << QStringList{"link=/a~1b/c~0d"} << int(Field::Link) << "/a~1b/c~0d";
    QTest::newRow("root key with empty name") << QStringList{"link=/"} << int(Field::Link) << "/";
    QTest::newRow("'=' inside the pointer") << QStringList{"link=/a=b"} << int(Field::Link) << "/a=b";
    QTest::newRow("spaces around the name") << QStringList{" link =/x"} << int(Field::Link) << "/x";
}

void TestFieldMapping::parse()
{
    QFETCH(QStringList, specs);
    QFETCH(int, field);
    QFETCH(QString, pointer);

    const auto mapping = FieldMapping::parse(specs);
    QVERIFY2(mapping, qPrintable(mapping.error()));
    QVERIFY(!mapping->isEmpty());
    QVERIFY(mapping->isMapped(Field(field)));
    QCOMPARE(mapping->pointer(Field(field)), pointer);
    for (int f = 0; f < FieldMapping::kFieldCount; ++f) {
        if (f != field)
            QVERIFY(!mapping->isMapped(Field(f)));
    }
}

void TestFieldMapping::parseErrors_data()
{
    QTest::addColumn<QStringList>("specs");
    QTest::addColumn<QString>("item");     // the error quotes the offending item
    QTest::addColumn<QString>("reason");   // and says what is wrong with it

    QTest::newRow("unknown field") << QStringList{"slug=/payload/slug"} << "'slug=/payload/slug'"
                                   << "unknown field 'slug'";
    QTest::newRow("field names are case-sensitive") << QStringList{"Link=/a"} << "'Link=/a'"
                                                    << "unknown field";
    QTest::newRow("missing '='") << QStringList{"link/payload/slug"} << "'link/payload/slug'"
                                 << "missing '='";
    QTest::newRow("no '/' at the start") << QStringList{"link=payload/slug"} << "'link=payload/slug'"
                                         << "starts with '/'";
    QTest::newRow("empty pointer") << QStringList{"link="} << "'link='"
                                   << "starts with '/'";
    QTest::newRow("bad escape") << QStringList{"link=/a~2b"} << "'link=/a~2b'"
                                << "'~' must be followed by 0 or 1";
    QTest::newRow("dangling ~") << QStringList{"link=/a~"} << "'link=/a~'"
                                << "'~' must be followed by 0 or 1";
    QTest::newRow("second item is the bad one") << QStringList{"link=/a", "countr=/b"} << "'countr=/b'"
                                                << "unknown field";
    QTest::newRow("field mapped twice") << QStringList{"link=/a", "link=/b"} << "'link=/b'"
                                        << "mapped twice";
    QTest::newRow("empty item") << QStringList{""} << "''"
                                << "missing '='";
}

void TestFieldMapping::parseErrors()
{
    QFETCH(QStringList, specs);
    QFETCH(QString, item);
    QFETCH(QString, reason);

    const auto mapping = FieldMapping::parse(specs);
    QVERIFY(!mapping);
    QVERIFY2(mapping.error().startsWith(item), qPrintable(mapping.error()));
    QVERIFY2(mapping.error().contains(reason), qPrintable(mapping.error()));
}

void TestFieldMapping::roundTrip_data()
{
    QTest::addColumn<QStringList>("specs");
    QTest::addColumn<QStringList>("canonical");   // toStrings(): Field order

    QTest::newRow("none") << QStringList{} << QStringList{};
    QTest::newRow("one") << QStringList{"link=/payload/slug"} << QStringList{"link=/payload/slug"};
    QTest::newRow("reordered") << QStringList{"ts=/meta/at", "link=/payload/slug"}
                               << QStringList{"link=/payload/slug", "ts=/meta/at"};
    QTest::newRow("all") << QStringList{"id=/7",      "browser=/6", "device=/5", "referrer=/4",
                                        "country=/3", "ts=/2",      "link=/1"}
                         << QStringList{"link=/1",    "country=/3", "referrer=/4", "device=/5",
                                        "browser=/6", "ts=/2",      "id=/7"};
    QTest::newRow("escapes") << QStringList{"link=/a~1b/~0"} << QStringList{"link=/a~1b/~0"};
    QTest::newRow("unicode key") << QStringList{"country=/pays/côté"} << QStringList{"country=/pays/côté"};
}

void TestFieldMapping::roundTrip()
{
    QFETCH(QStringList, specs);
    QFETCH(QStringList, canonical);

    const auto mapping = FieldMapping::parse(specs);
    QVERIFY(mapping);
    QCOMPARE(mapping->toStrings(), canonical);
    const auto again = FieldMapping::parse(mapping->toStrings());
    QVERIFY(again);
    QCOMPARE(*again, *mapping);
    QCOMPARE(again->isEmpty(), specs.isEmpty());
}

void TestFieldMapping::fieldNames()
{
    for (int f = 0; f < FieldMapping::kFieldCount; ++f) {
        const QString name = FieldMapping::fieldName(Field(f));
        QVERIFY(!name.isEmpty());
        QCOMPARE(FieldMapping::fieldFromName(name), std::optional<Field>(Field(f)));
    }
    QCOMPARE(FieldMapping::fieldName(Field::Timestamp), QStringLiteral("ts"));
    QCOMPARE(FieldMapping::fieldFromName(u"timestamp"), std::nullopt);
}

void TestFieldMapping::setPointer()
{
    FieldMapping mapping;
    QVERIFY(mapping.setPointer(Field::Link, QStringLiteral("/payload/slug")));
    QCOMPARE(mapping.pointer(Field::Link), QStringLiteral("/payload/slug"));

    // An invalid pointer leaves the mapping as it was and says why.
    const Result<void> refused = mapping.setPointer(Field::Link, QStringLiteral("payload"));
    QVERIFY(!refused);
    QVERIFY(refused.error().contains(u"starts with '/'"));
    QCOMPARE(mapping.pointer(Field::Link), QStringLiteral("/payload/slug"));

    // An empty pointer goes back to detection.
    QVERIFY(mapping.setPointer(Field::Link, QString()));
    QVERIFY(mapping.isEmpty());

    QVERIFY(mapping.setPointer(Field::Timestamp, QStringLiteral("/meta/at")));
    mapping.clear(Field::Timestamp);
    QVERIFY(mapping.isEmpty());
}

void TestFieldMapping::equality()
{
    FieldMapping a;
    FieldMapping b;
    QVERIFY(a == b);
    QVERIFY(a.setPointer(Field::Link, QStringLiteral("/x")));
    QVERIFY(a != b);
    QVERIFY(b.setPointer(Field::Link, QStringLiteral("/x")));
    QVERIFY(a == b);
    QVERIFY(b.setPointer(Field::Country, QStringLiteral("/c")));
    QVERIFY(a != b);
    // Copies are independent values.
    FieldMapping c = b;
    c.clear(Field::Country);
    QVERIFY(c == a);
    QVERIFY(c != b);
}

QTEST_GUILESS_MAIN(TestFieldMapping)
#include "tst_fieldmapping.moc"
