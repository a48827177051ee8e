/* SPDX-License-Identifier: MIT */
/*
 * streamgen.c -- see streamgen.h. A small xorshift generator keeps the
 * traffic the same for a given seed, so runs compare.
 */
#include "streamgen.h"

#include <inttypes.h>

static uint64_t next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static const char *const benign[] = {
    "안녕하세요 다들 오늘 모임 몇 시에 시작해요?",
    "점심 뭐 먹을지 정했어? 나는 김치찌개 먹고 싶다",
    "주말에 비 온대서 캠핑은 다음 주로 미루자",
    "회의 자료 공유 드라이브에 올려놨어요 확인 부탁드립니다",
    "ㅋㅋㅋㅋ 그 영화 진짜 재밌더라",
    "내일 아침 9시 역 앞에서 만나요",
    "주문번호 20240611-3391 배송 언제 오는지 아시는 분?",
    "see you at the station at nine, bring the tickets",
    "사진 잘 받았어요 감사합니다!",
    "이번 달 회비는 월말까지 내주시면 됩니다",
    "버전 1.2.3 업데이트 하니까 앱이 빨라졌네",
    "오늘 날씨 너무 좋다 산책 갈 사람",
};
#define NBENIGN (sizeof benign / sizeof benign[0])

int streamgen_write(FILE *f, const char *id_prefix, uint64_t n, unsigned rooms,
                    unsigned bad_every, uint64_t seed)
{
    uint64_t s = seed ? seed : 0x9E3779B97F4A7C15ULL;
    int64_t ts = 1764300000000LL;
    if (!rooms)
        rooms = 1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t r = next(&s);
        unsigned room = (unsigned)(r % rooms);
        unsigned sender = (unsigned)((r >> 20) % ((uint64_t)rooms * 4));
        ts += 50;
        const char *surface = (room % 3 == 0) ? "open_chat" : (room % 3 == 1) ? "group" : "direct";
        int bad = bad_every && (next(&s) % bad_every) == 0;
        fprintf(f, "{\"id\":\"%s%" PRIu64 "\",\"room\":\"r%u\",\"sender\":\"u%u\",\"ts\":%" PRId64, id_prefix, i,
                room, sender, ts);
        if (bad) {
            unsigned kind = (unsigned)(next(&s) % 3);
            unsigned a = 1000 + (unsigned)(next(&s) % 9000), b = 1000 + (unsigned)(next(&s) % 9000);
            if (kind == 0)
                fprintf(f, ",\"surface\":\"open_chat\",\"text\":\"이 사람 사기꾼임 번호 010-%u-%u 다들 연락해\"}\n",
                        a, b);
            else if (kind == 1)
                fprintf(f, ",\"surface\":\"open_chat\",\"text\":\"주민번호 앞자리랑 신분증 사진 보내주세요 확인해드림\"}\n");
            else
                fprintf(f, ",\"surface\":\"open_chat\",\"text\":\"개인정보 디비 팝니다 명단 %u건 텔레그램 연락\"}\n",
                        a);
        } else {
            fprintf(f, ",\"surface\":\"%s\",\"text\":\"%s\"}\n", surface, benign[next(&s) % NBENIGN]);
        }
        if (ferror(f))
            return -1;
    }
    return 0;
}
