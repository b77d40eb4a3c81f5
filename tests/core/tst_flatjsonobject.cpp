// SPDX-License-Identifier: MIT
#include "core/decode/flatjsonobject.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace Clickscope;

namespace {

std::string_view view(const QByteArray &bytes) { return {bytes.constData(), std::size_t(bytes.size())}; }

// A value as a QJsonValue, to hold the fast path to Qt's own parser.
QJsonValue toQt(const JsonValue &v)
{
    switch (v.type) {
    case JsonValue::Type::Null:
        return QJsonValue::Null;
    case JsonValue::Type::Bool:
        return v.boolean;
    case JsonValue::Type::Int64:
        return qint64(v.int64);
    case JsonValue::Type::Double:
        return v.real;
    case JsonValue::Type::String:
        return QString::fromUtf8(v.string.data(), qsizetype(v.string.size()));
    default:
        return QJsonValue::Undefined;   // never made by the fast path
    }
}

}   // namespace

class TestFlatJsonObject : public QObject
{
    Q_OBJECT

private slots:
    void readsFlatObjectsAsQtDoes_data();
    void readsFlatObjectsAsQtDoes();
    void keepsOrderAndDuplicates();
    void numberTypes();
    void declines_data();
    void declines();
    void declinesEveryTruncation();
    void escapedStringsStayValidTogether();
    void membersUpToTheLimit();
};

void TestFlatJsonObject::readsFlatObjectsAsQtDoes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("click") << QByteArray(
        R"({"ts":1717200000000,"browser":"Chrome","country":"CA","device":"mobile","link":"/MQ9O",)"
        R"("referrer":"https://news.ycombinator.com/","userAgent":"Mozilla/5.0 (Linux; Android 10; K) )"
        R"(AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"})");
    QTest::newRow("empty") << QByteArray("{}");
    QTest::newRow("empty with spaces") << QByteArray(" \t{ \r\n} \n");
    QTest::newRow("spaces everywhere") << QByteArray(R"( { "a" : 1 , "b" :	"x" } )");
    QTest::newRow("literals") << QByteArray(R"({"t":true,"f":false,"n":null})");
    QTest::newRow("integers") << QByteArray(R"({"a":0,"b":-1,"c":123456789012345678,"d":-123456789012345678})");
    QTest::newRow("reals") << QByteArray(R"({"a":1.5,"b":-0.25,"c":1e3,"d":2E-3,"e":1.7976931348623157e308,"f":-0.0})");
    QTest::newRow("19 digits and a 3-digit exponent")
        << QByteArray(R"({"a":1.234567890123456789,"b":12345678901234567.89,"c":1e-300,"d":5e+100})");
    QTest::newRow("escapes") << QByteArray(R"({"url":"https:\/\/t.co\/x","q":"say \"hi\"\\\b\f\n\r\t"})");
    QTest::newRow("escaped key") << QByteArray(R"({"li\/nk":"/a"})");
    QTest::newRow("UTF-8") << QByteArray(
        "{\"country\":\"Côte d’Ivoire\",\"ref\":\"例え.jp\",\"e\":\"\xF0\x9F\x98\x80\"}");
    QTest::newRow("UTF-8 beside an escape") << QByteArray("{\"a\":\"é\\n€\"}");
    QTest::newRow("long string") << (QByteArray(R"({"s":")") + QByteArray(1000, 'y') + R"("})");
    QTest::newRow("string ending on a 16-byte edge") << QByteArray(R"({"k":"0123456789abcde"})");
    QTest::newRow("empty strings") << QByteArray(R"({"":""})");
}

void TestFlatJsonObject::readsFlatObjectsAsQtDoes()
{
    QFETCH(QByteArray, json);
    FlatJsonObject flat;
    QVERIFY(flat.parse(view(json)));
    QJsonParseError error;
    const QJsonObject expected = QJsonDocument::fromJson(json, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(qsizetype(flat.members().size()), expected.size());
    for (const FlatJsonObject::Member &m : flat.members()) {
        const QString key = QString::fromUtf8(m.key.data(), qsizetype(m.key.size()));
        QVERIFY2(expected.contains(key), qPrintable(key));
        QCOMPARE(toQt(m.value), expected.value(key));
    }
}

void TestFlatJsonObject::keepsOrderAndDuplicates()
{
    // A full parser keeps every member in order; which duplicate wins is the reader's choice.
    FlatJsonObject flat;
    QVERIFY(flat.parse(R"({"a":1,"b":"x","a":null,"a":2.5})"));
    const auto members = flat.members();
    QCOMPARE(members.size(), 4u);
    QCOMPARE(members[0].key, "a");
    QCOMPARE(members[0].value.int64, 1);
    QCOMPARE(members[1].value.string, "x");
    QCOMPARE(members[2].value.type, JsonValue::Type::Null);
    QCOMPARE(members[3].value.type, JsonValue::Type::Double);
    QCOMPARE(members[3].value.real, 2.5);
}

void TestFlatJsonObject::numberTypes()
{
    // What Qt's parser cannot show: integers stay integers, anything with a fraction or an
    // exponent is a double, as a full parser types them; -0.0 keeps its sign.
    FlatJsonObject flat;
    QVERIFY(flat.parse(R"({"i":123456789012345678,"one":1.0,"e":1e2,"z":-0.0,"n":-7})"));
    const auto m = flat.members();
    QCOMPARE(m[0].value.type, JsonValue::Type::Int64);
    QCOMPARE(m[0].value.int64, 123456789012345678);
    QCOMPARE(m[1].value.type, JsonValue::Type::Double);
    QCOMPARE(m[2].value.type, JsonValue::Type::Double);
    QCOMPARE(m[2].value.real, 100.0);
    QCOMPARE(m[3].value.type, JsonValue::Type::Double);
    QVERIFY(std::signbit(m[3].value.real));
    QCOMPARE(m[4].value.type, JsonValue::Type::Int64);
    QCOMPARE(m[4].value.int64, -7);

    // Integers of every length the reader takes: eight digits at a time, then one at a time.
    const std::string digits = "987654321098765432";
    for (std::size_t n = 1; n <= digits.size(); ++n) {
        const std::string json = "{\"n\":" + digits.substr(0, n) + ",\"m\":-" + digits.substr(0, n) + "}";
        QVERIFY2(flat.parse(json), json.c_str());
        QCOMPARE(flat.members()[0].value.int64, std::stoll(digits.substr(0, n)));
        QCOMPARE(flat.members()[1].value.int64, -std::stoll(digits.substr(0, n)));
    }
}

void TestFlatJsonObject::declines_data()
{
    QTest::addColumn<QByteArray>("json");
    // Valid JSON that a full parser must read instead.
    QTest::newRow("nested object") << QByteArray(R"({"a":{"b":1}})");
    QTest::newRow("array") << QByteArray(R"({"a":[1]})");
    QTest::newRow("\\u escape") << QByteArray(R"({"a":"\u00e9"})");
    QTest::newRow("19 digits") << QByteArray(R"({"a":1234567890123456789})");
    QTest::newRow("negative zero") << QByteArray(R"({"a":-0})");
    QTest::newRow("overflowing real") << QByteArray(R"({"a":1e400})");
    QTest::newRow("20 digits before the exponent") << QByteArray(R"({"a":1.2345678901234567890})");
    QTest::newRow("20 digits, most of them zeros") << QByteArray(R"({"a":0.0000000000000000001})");
    QTest::newRow("4-digit exponent") << QByteArray(R"({"a":1e0001})");
    QTest::newRow("underflowing real") << QByteArray(R"({"a":1e-400})");
    QTest::newRow("top-level array") << QByteArray("[1]");
    QTest::newRow("top-level string") << QByteArray(R"("a")");
    // Invalid JSON.
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("trailing comma") << QByteArray(R"({"a":1,})");
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})");
    QTest::newRow("missing value") << QByteArray(R"({"a":})");
    QTest::newRow("missing comma") << QByteArray(R"({"a":1 "b":2})");
    QTest::newRow("unquoted key") << QByteArray(R"({a:1})");
    QTest::newRow("single quotes") << QByteArray(R"({'a':1})");
    QTest::newRow("leading zero") << QByteArray(R"({"a":01})");
    QTest::newRow("bare minus") << QByteArray(R"({"a":-})");
    QTest::newRow("dot without digits") << QByteArray(R"({"a":1.})");
    QTest::newRow("exponent without digits") << QByteArray(R"({"a":1e+})");
    QTest::newRow("plus sign") << QByteArray(R"({"a":+1})");
    QTest::newRow("number glued to a literal") << QByteArray(R"({"a":1true})");
    QTest::newRow("misspelt literal") << QByteArray(R"({"a":nul})");
    QTest::newRow("literal with a tail") << QByteArray(R"({"a":nulls})");
    QTest::newRow("control character in a string") << QByteArray("{\"a\":\"x\ty\"}");
    QTest::newRow("unknown escape") << QByteArray(R"({"a":"\x"})");
    QTest::newRow("invalid UTF-8") << QByteArray("{\"a\":\"\xff\"}");
    QTest::newRow("overlong UTF-8") << QByteArray("{\"a\":\"\xc0\xaf\"}");
    QTest::newRow("surrogate in UTF-8") << QByteArray("{\"a\":\"\xed\xa0\x80\"}");
    QTest::newRow("UTF-8 cut by an escape") << QByteArray("{\"a\":\"\xc3\\n\"}");
    QTest::newRow("invalid UTF-8 in a key") << QByteArray("{\"\xfe\":1}");
    QTest::newRow("two objects") << QByteArray(R"({"a":1}{"b":2})");
    QTest::newRow("trailing text") << QByteArray(R"({"a":1} x)");
    QTest::newRow("form feed as space") << QByteArray("{\f\"a\":1}");
    QTest::newRow("NUL after the object") << QByteArray("{}\0", 3);
}

void TestFlatJsonObject::declines()
{
    QFETCH(QByteArray, json);
    FlatJsonObject flat;
    QVERIFY(flat.parse(R"({"x":1})"));
    QVERIFY(!flat.parse(view(json)));
    QCOMPARE(flat.members().size(), 0u);   // nothing of an earlier object is left to read
}

void TestFlatJsonObject::declinesEveryTruncation()
{
    // No prefix of an object is an object: a reader that looks past the end, or stops early and
    // calls it done, accepts one of these. Escapes and a long string put the cut inside each path.
    const QByteArray json = R"({"link":"/a","ref":"https:\/\/t.co\/x","n":-12.5e1,"ok":true,"none":null,"ua":")"
                            + QByteArray(40, 'u') + R"("})";
    FlatJsonObject flat;
    QVERIFY(flat.parse(view(json)));
    for (qsizetype n = 0; n < json.size(); ++n) {
        // A copy of exactly n bytes, so that AddressSanitizer sees a read past the cut.
        const std::string prefix(json.constData(), std::size_t(n));
        QVERIFY2(!flat.parse(prefix), qPrintable(QString::number(n)));
    }
}

void TestFlatJsonObject::escapedStringsStayValidTogether()
{
    // Every escaped string of one object lives in one buffer: the first one must not be moved
    // by the later ones growing it.
    QByteArray json = "{";
    for (int i = 0; i < 20; ++i)
        json += "\"k" + QByteArray::number(i) + "\":\"" + QByteArray(i * 30, 'a') + "\\n\",";
    json.chop(1);
    json += "}";
    FlatJsonObject flat;
    QVERIFY(flat.parse(view(json)));
    QCOMPARE(flat.members().size(), 20u);
    for (int i = 0; i < 20; ++i) {
        const std::string expected = std::string(std::size_t(i * 30), 'a') + "\n";
        QCOMPARE(flat.members()[std::size_t(i)].value.string, expected);
    }
}

void TestFlatJsonObject::membersUpToTheLimit()
{
    const auto objectOf = [](int members) {
        QByteArray json = "{";
        for (int i = 0; i < members; ++i)
            json += (i ? ",\"" : "\"") + QByteArray::number(i) + "\":" + QByteArray::number(i);
        return json + "}";
    };
    FlatJsonObject flat;
    const QByteArray full = objectOf(FlatJsonObject::kMaxMembers);
    QVERIFY(flat.parse(view(full)));
    QCOMPARE(qsizetype(flat.members().size()), FlatJsonObject::kMaxMembers);
    QCOMPARE(flat.members().back().value.int64, FlatJsonObject::kMaxMembers - 1);
    const QByteArray over = objectOf(FlatJsonObject::kMaxMembers + 1);
    QVERIFY(!flat.parse(view(over)));
}

QTEST_APPLESS_MAIN(TestFlatJsonObject)
#include "tst_flatjsonobject.moc"
