// SPDX-License-Identifier: MIT
// EventMatcher: which clicks of two streams pair up, which one side lacks and why, the lag
// between the pairs, and the bounds on what it keeps.
#include "core/compare/eventmatcher.h"

#include <QTest>

using namespace Clickscope;

namespace {

// A click with a numeric id (and an event id that says otherwise, to see which one is used).
ClickView clickWithId(qint64 id)
{
    ClickView click;
    click.link = "/a";
    click.sequence = id;
    return click;
}

void addId(EventMatcher &m, int side, qint64 id, qint64 arrivalMs)
{
    m.add(side, QByteArray::number(id + 1000), clickWithId(id), arrivalMs);
}

}   // namespace

class TestEventMatcher : public QObject
{
    Q_OBJECT

private slots:
    void pairsAndLagSign();
    void missingOnlyAfterTheOtherSideHadItsChance();
    void clicksBeforeTheOtherStartedAreNotMissing();
    void keysAreChosenAsAsked();
    void duplicatesAndUnkeyedAreCounted();
    void aClickResentAfterPairingIsADuplicate();
    void theWindowBoundsWhatWaits();
    void longKeysAreCutButStayDistinct();
    void keyNamesRoundTrip();
};

void TestEventMatcher::pairsAndLagSign()
{
    EventMatcher m;
    for (qint64 id = 1; id <= 10; ++id) {
        addId(m, 0, id, 1000 + id);
        addId(m, 1, id, 1000 + id + 7);   // side 1 is 7 ms behind
    }
    // Side 1 ahead for this one: the lag's sign says which side is behind.
    addId(m, 1, 11, 2000);
    addId(m, 0, 11, 2003);
    const EventMatcher::Summary s = m.summary(10'000);
    QCOMPARE(s.matched, 11u);
    QCOMPARE(s.lagSamples, 11);
    QCOMPARE(*s.lagMedianMs, 7.0);
    QCOMPARE(*s.lagP10Ms, 7.0);
    QCOMPARE(s.sides[0].clicks, 11u);
    QCOMPARE(s.sides[1].unmatched.missing + s.sides[1].unmatched.pending, 0u);
    // The lowest lag is the one where side 1 led.
    EventMatcher only;
    addId(only, 1, 1, 2000);
    addId(only, 0, 1, 2003);
    QCOMPARE(*only.summary(3000).lagMedianMs, -3.0);
}

void TestEventMatcher::missingOnlyAfterTheOtherSideHadItsChance()
{
    EventMatcher m(EventMatcher::Settings{EventMatcher::Key::Id, 100, 500});
    addId(m, 0, 1, 1000);
    addId(m, 1, 1, 1001);
    addId(m, 0, 2, 1100);   // side 1 never sends 2
    addId(m, 1, 3, 1200);   // side 0 never sends 3
    EventMatcher::Summary s = m.summary(1300);
    QCOMPARE(s.matched, 1u);
    QCOMPARE(s.sides[0].unmatched.pending, 1u);
    QCOMPARE(s.sides[0].unmatched.missing, 0u);
    QCOMPARE(s.sides[1].unmatched.pending, 1u);
    s = m.summary(1650);   // 2 waited 550 ms, 3 only 450 ms
    QCOMPARE(s.sides[0].unmatched.missing, 1u);
    QCOMPARE(s.sides[0].unmatched.pending, 0u);
    QCOMPARE(s.sides[1].unmatched.pending, 1u);
    QCOMPARE(s.sides[0].missingExamples, std::vector<std::string>{"2"});
    s = m.summary(1700);
    QCOMPARE(s.sides[1].unmatched.missing, 1u);
    QCOMPARE(s.sides[1].missingExamples, std::vector<std::string>{"3"});
    // A late partner still pairs, and the click is no longer missing.
    addId(m, 1, 2, 1800);
    s = m.summary(1800);
    QCOMPARE(s.matched, 2u);
    QCOMPARE(s.sides[0].unmatched.missing, 0u);
}

void TestEventMatcher::clicksBeforeTheOtherStartedAreNotMissing()
{
    EventMatcher m(EventMatcher::Settings{EventMatcher::Key::Id, 100, 0});
    addId(m, 0, 1, 1000);
    addId(m, 0, 2, 1010);
    EventMatcher::Summary s = m.summary(5000);
    // Side 1 has delivered nothing yet, however long: these may still come.
    QCOMPARE(s.sides[0].unmatched.pending, 2u);
    QCOMPARE(s.sides[0].unmatched.missing, 0u);
    QCOMPARE(s.sides[0].unmatched.beforeOtherStarted, 0u);
    // Once it begins, they turn out to be from before it did.
    addId(m, 1, 3, 1020);
    addId(m, 0, 3, 1021);
    addId(m, 0, 4, 1030);   // after side 1 began: missing there
    s = m.summary(5000);
    QCOMPARE(s.sides[0].unmatched.beforeOtherStarted, 2u);
    QCOMPARE(s.sides[0].unmatched.missing, 1u);
    QCOMPARE(s.matched, 1u);
}

void TestEventMatcher::keysAreChosenAsAsked()
{
    // Id: the click's id wins over the event id; without one the event id serves.
    EventMatcher byId;
    byId.add(0, "e1", clickWithId(5), 1);
    byId.add(1, "", clickWithId(5), 2);
    ClickView noId;
    noId.link = "/a";
    byId.add(0, "e9", noId, 3);
    byId.add(1, "e9", noId, 4);
    QCOMPARE(byId.summary(10).matched, 2u);

    EventMatcher byEventId(EventMatcher::Settings{EventMatcher::Key::EventId, 100, 0});
    byEventId.add(0, "e1", clickWithId(5), 1);
    byEventId.add(1, "e2", clickWithId(5), 2);
    byEventId.add(1, "", clickWithId(5), 3);
    EventMatcher::Summary s = byEventId.summary(10);
    QCOMPARE(s.matched, 0u);
    QCOMPARE(s.sides[1].unkeyed, 1u);

    EventMatcher byLinkAndTime(EventMatcher::Settings{EventMatcher::Key::LinkAndTime, 100, 0});
    ClickView a;
    a.link = "/a";
    a.timestampMs = 1700000000000;
    ClickView b = a;
    b.link = "/b";
    byLinkAndTime.add(0, QByteArrayView(), a, 1);
    byLinkAndTime.add(1, QByteArrayView(), b, 1);   // same time, another link: no pair
    byLinkAndTime.add(1, QByteArrayView(), a, 2);
    byLinkAndTime.add(0, QByteArrayView(), ClickView{}, 3);   // no time: no key
    s = byLinkAndTime.summary(10);
    QCOMPARE(s.matched, 1u);
    QCOMPARE(s.sides[1].unmatched.missing, 1u);
    QCOMPARE(s.sides[1].missingExamples, std::vector<std::string>{"1700000000000 /b"});
    QCOMPARE(s.sides[0].unkeyed, 1u);
}

void TestEventMatcher::duplicatesAndUnkeyedAreCounted()
{
    EventMatcher m;
    addId(m, 0, 1, 1);
    addId(m, 0, 1, 2);   // waiting already on this side
    m.add(0, QByteArrayView(), ClickView{}, 3);
    const EventMatcher::Summary s = m.summary(4);
    QCOMPARE(s.sides[0].clicks, 3u);
    QCOMPARE(s.sides[0].duplicates, 1u);
    QCOMPARE(s.sides[0].unkeyed, 1u);
    QCOMPARE(s.sides[0].unmatched.pending + s.sides[0].unmatched.beforeOtherStarted, 1u);
}

void TestEventMatcher::aClickResentAfterPairingIsADuplicate()
{
    EventMatcher m(EventMatcher::Settings{EventMatcher::Key::Id, 100, 0});
    addId(m, 0, 1, 1);
    addId(m, 1, 1, 2);
    // Resent after a reconnection, on either side: not another click to count.
    const EventMatcher::Comparable again = m.add(1, "1001", clickWithId(1), 3);
    QVERIFY(!again.thisClick && !again.partner);
    addId(m, 0, 1, 4);
    const EventMatcher::Summary s = m.summary(1000);
    QCOMPARE(s.matched, 1u);
    QCOMPARE(s.sides[0].duplicates, 1u);
    QCOMPARE(s.sides[1].duplicates, 1u);
    QCOMPARE(s.sides[0].unmatched.missing + s.sides[1].unmatched.missing, 0u);
}

void TestEventMatcher::theWindowBoundsWhatWaits()
{
    constexpr qsizetype kWindow = 100;
    EventMatcher m(EventMatcher::Settings{EventMatcher::Key::Id, kWindow, 0});
    addId(m, 1, 0, 0);   // side 1 has begun
    for (qint64 id = 1; id <= 10 * kWindow; ++id)
        addId(m, 0, id, id);
    EventMatcher::Summary s = m.summary(100'000);
    QCOMPARE(s.sides[0].outOfWindow, quint64(9 * kWindow));
    QCOMPARE(s.sides[0].unmatched.missing, quint64(kWindow));
    // What fell out is not found any more: its partner waits instead, and says so.
    addId(m, 1, 1, 100'000);
    s = m.summary(100'000);
    QCOMPARE(s.matched, 0u);
    // Matches out of order (every other one) leave stale keys in the queue; they are dropped, the
    // bound holds and nothing still waiting is lost.
    EventMatcher shuffled(EventMatcher::Settings{EventMatcher::Key::Id, kWindow, 0});
    for (qint64 round = 0; round < 50; ++round) {
        for (qint64 i = 0; i < kWindow; ++i)
            addId(shuffled, 0, round * kWindow + i, round);
        for (qint64 i = 0; i < kWindow; i += 2)
            addId(shuffled, 1, round * kWindow + kWindow - 1 - i, round);
    }
    s = shuffled.summary(1000);
    QCOMPARE(s.matched, quint64(50 * kWindow / 2));
    QCOMPARE(s.sides[0].outOfWindow + s.sides[0].unmatched.missing + s.sides[0].unmatched.beforeOtherStarted,
             quint64(50 * kWindow / 2));
    QVERIFY(s.sides[0].unmatched.missing <= quint64(kWindow));
}

void TestEventMatcher::longKeysAreCutButStayDistinct()
{
    EventMatcher m(EventMatcher::Settings{EventMatcher::Key::EventId, 100, 0});
    const QByteArray head(1000, 'k');
    m.add(1, "x", ClickView{}, 0);
    m.add(0, head + "1", ClickView{}, 1);
    m.add(0, head + "2", ClickView{}, 2);
    m.add(1, head + "2", ClickView{}, 3);
    const EventMatcher::Summary s = m.summary(10);
    QCOMPARE(s.matched, 1u);
    QCOMPARE(s.sides[0].unmatched.missing, 1u);
    QCOMPARE(qsizetype(s.sides[0].missingExamples.front().size()), EventMatcher::kMaxKeyBytes);
}

void TestEventMatcher::keyNamesRoundTrip()
{
    for (auto key : {EventMatcher::Key::Id, EventMatcher::Key::EventId, EventMatcher::Key::LinkAndTime})
        QCOMPARE(EventMatcher::keyNamed(EventMatcher::keyName(key)), key);
    QVERIFY(!EventMatcher::keyNamed(u"uuid"));
}

QTEST_GUILESS_MAIN(TestEventMatcher)
#include "tst_eventmatcher.moc"
