#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Generates src/detect/person_tables.h (sorted tables for binary search):
# surnames with their frequency per 10,000 people, syllables common in given
# names, common words that look like a surname + given name (never names), and
# titles that stand where a given name would. Run from the project root:
#   scripts/gen-person-tables.py
import os

surn = """김 2150 이 1470 박 840 최 470 정 430 강 240 조 210 윤 200 장 200 임 170 한 150 오 150 서 150
신 150 권 140 황 140 안 140 송 130 유 110 류 80 전 110 홍 110 고 90 문 90 양 90 손 90 배 80 백 80
허 70 노 60 남 60 심 50 하 50 곽 40 성 40 차 40 주 40 우 40 구 40 민 30 진 30 나 30 지 30 엄 30
원 30 채 30 천 20 방 20 공 20 현 20 함 20 변 20 염 15 여 15 추 12 도 11 소 10 석 10 선 10 설 10
마 10 길 8 연 8 위 7 표 7 명 6 기 6 반 6 라 5 왕 5 금 5 옥 4 육 4 인 4 맹 4 제 4 모 4 탁 3 국 3
어 2 은 2 편 2 용 2 예 2 경 2 봉 2 사 2 부 2 가 2 복 1 태 1 목 1 형 1 피 1 두 1 감 1 호 1 빈 1
동 1 온 1 범 1 좌 1 팽 1 승 1 간 1 상 1 견 1 당 1 화 1 창 1 묵 1 계 1 lee 0""".split()
surn = [(surn[i], int(surn[i+1])) for i in range(0, len(surn), 2) if len(surn[i]) == 1 and '가' <= surn[i] <= '힣']
surn2 = [("남궁", 2), ("황보", 2), ("제갈", 1), ("선우", 1), ("독고", 1), ("사공", 1), ("서문", 1), ("동방", 1), ("망절", 1), ("어금", 1)]
given = """가 각 강 건 걸 겸 경 계 곤 관 광 교 구 국 군 권 규 균 근 글 금 기 길 나 낙 남 녕 늘 다 단 달 담
대 덕 도 돈 동 두 득 라 락 란 람 랑 래 량 려 련 렬 령 례 로 록 률 륜 름 린 림 리 루 류 룡 마 만 명 모 목 무 묵 문 미 민
바 반 방 배 백 범 벽 별 병 보 복 본 봉 부 빈 빛 산 삼 상 새 샘 서 석 선 설 섭 성 세 소 솔 송 수 숙 순 술 숭 슬 승 시 식 신 실 심
아 안 애 양 언 엄 여 연 열 염 엽 영 예 오 옥 온 완 왕 용 우 욱 운 울 웅 원 월 위 유 윤 율 융 은 음 이 익 인 일 임 입
자 재 전 정 제 조 종 주 준 중 지 직 진 찬 창 채 천 철 청 초 총 춘 충 치 탁 태 택 파 평 표 필
하 학 한 함 항 해 행 향 헌 혁 현 협 형 혜 호 홍 화 환 황 회 효 후 훈 휘 흠 흥 희""".split()
# Words that look like a surname + given syllables but are not names.
common = """김치 김밥 김장 이상 이번 이제 이거 이건 이게 이걸 이런 이럴 이래 이미 이유 이후 이전 이해 이용 이야 이름 이사 이자 이하 이내 이외 이성
이대 이모 이웃 이혼 이기 이길 이긴 이동 이득 이별 이익 이변 이어 이원 이면 이만 이랑 이왕 이리 이순
정말 정도 정리 정보 정신 정상 정부 정치 정답 정확 정의 정은 정해 정한 정이 정식 정성 정원 정문 정규 정기 정지 정착 정당 정면 정비 정수
신고 신청 신경 신기 신규 신나 신발 신용 신뢰 신호 신문 신세 신분 신부 신인 신장 신선 신설 신중 신화 신혼 신비 신사 신난
한번 한국 한다 한테 한심 한참 한편 한계 한때 한명 한잔 한두 한마 한순 한정 한글 한동 한가 한강 한숨 한달 한해 한방 한창 한치 한시
조금 조심 조건 조사 조용 조직 조절 조회 조카 조상 조정 조합 조언 조명 조기 조연 조선 조만
강아지 강제 강의 강남 강한 강해 강조 강요 강원 강력 강도 강추 강당 강연
장난 장면 장소 장애 장점 장사 장비 장기 장례 장문 장인 장모 장수 장르 장마 장미 장관 장교 장담 장래 장시 장원
최고 최근 최악 최소 최대 최선 최초 최종 최신 최애 최적 최하 최상 최우 최강
박수 박물 박스 박살 박자 박사 박해 박진 박탈
오늘 오래 오히 오지 오해 오른 오랜 오빠 오전 오후 오류 오직 오픈 오면 오는 오신 오기 오디 오늘도 오리 오만 오자 오히려 오버 오랫 오락 오징어
서로 서울 서비 서류 서명 서운 서버 서두 서쪽 서점 서양 서민 서술 서랍 서러
윤리 윤곽 임신 임금 임시 임무 임대 임원 임상 임명 임자 임기 임종
고민 고생 고객 고양이 고기 고등 고장 고백 고려 고마 고향 고추 고속 고통 고집 고정 고급 고유 고수 고전 고인 고문 고의 고위
문제 문자 문화 문의 문장 문서 문학 문득 문재 문구 문명 문수
양심 양파 양말 양념 양보 양해 양식 양성 양국 양반 양쪽 양치 양주
손님 손해 손가 손상 손목 손자 손녀 손톱 손질 손수
배우 배송 배달 배려 배경 배고 배신 배터 배추 배불 배치 배정 배포 배민 배구 배상 배심
백만 백신 백수 백성 백화 백원 백번 백성
허락 허리 허세 허위 허가 허무 허접 허용 허기 허탈 허수
노래 노력 노동 노인 노출 노란 노예 노무 노가 노답 노잼 노상
남자 남편 남의 남은 남기 남녀 남들 남한 남성 남부 남미 남산 남아 남매
하루 하나 하지 하는 하면 하고 하기 하늘 하도 하려 하여 하자 하필 하천 하락 하이 하단 하위 하원 하숙 하소
성격 성공 성적 성우 성인 성형 성별 성장 성질 성희 성명 성함 성당 성향 성폭 성범 성찬 성실 성능 성수
차라 차이 차단 차별 차량 차원 차례 차분 차갑 차가 차장
주말 주문 주변 주의 주인 주제 주식 주로 주장 주소 주민 주사 주차 주기 주세 주님 주연 주관 주위 주목 주택 주일 주간 주한
우리 우선 우울 우주 우연 우산 우승 우유 우정 우측 우대 우월 우아
구매 구경 구조 구입 구독 구성 구역 구원 구석 구멍 구미 구단 구청 구한 구해 구하 구속 구형
민주 민원 민족 민폐 민간 민국 민감 민심 민생
진짜 진심 진행 진정 진실 진료 진상 진단 진출 진리 진작 진입 진지 진로 진보 진화 진영
나라 나이 나중 나도 나는 나의 나를 나와 나한 나머 나쁜 나가 나름 나만 나오 나무 나랑 나서 나와서 나온 나빠 나약 나비
지금 지난 지역 지원 지도 지방 지식 지적 지구 지하 지출 지시 지배 지지 지키 지우 지연 지정 지점 지수 지성 지자
원래 원하 원인 원본 원룸 원칙 원서 원장 원작 원조 원숭이 원망 원수 원한 원전
천사 천재 천만 천국 천원 천천 천하
방법 방금 방송 방문 방향 방식 방지 방학 방해 방안 방어 방귀 방심
공부 공감 공개 공간 공유 공원 공장 공짜 공무 공식 공포 공주 공연 공사 공정 공직
현재 현실 현장 현금 현대 현상 현명 현역 현관
함께 함부 함정
변화 변경 변신 변호 변태 변수
여기 여자 여행 여름 여러 여전 여친 여성 여유 여부 여보 여태 여당 여론 여기서
도움 도대 도저 도망 도착 도시 도로 도구 도전 도서 도중 도와 도중 도령 도장 도우 도자
소리 소개 소문 소식 소중 소설 소원 소주 소비 소용 소재 소송 소녀 소년 소수 소유 소환
석방 석사 선물 선생 선배 선택 선거 선수 선진 선동 선언 선한 선의 선정 선명 선전 선호 선행 선발
설마 설명 설정 설치 설날 설득 설계 설렘
마음 마지 마치 마스 마을 마침 마감 마약 마무 마냥 마세 마인 마녀 마인드 마주 마리 마누라
기분 기억 기사 기대 기회 기다 기준 기도 기록 기업 기본 기술 기간 기계 기자 기념 기운 기능 기존 기부 기상 기원 기온 기초 기타 기획 기자
전화 전혀 전부 전에 전체 전국 전문 전쟁 전자 전세 전공 전철 전달 전략 전설 전원 전혀 전후 전진 전해 전하 전기
홍보 홍수 홍콩 홍어
안녕 안경 안전 안내 안정 안심 안주 안방 안타 안해 안되 안도 안부 안과 안건 안면
송금 송이 송장 송별 송출
황당 황금 황제 황사 황혼 권리 권력 권유 권장 권한 권투
연애 연락 연습 연기 연휴 연말 연봉 연결 연구 연예 연장 연세 연인 연출 연속 연합 연재
유리 유지 유명 유행 유튜 유일 유용 유료 유학 유사 유치 유아 유의 유산 유족 유출 유학 유혹
명절 명령 명확 명단 명예 명품 명함 명동 명언 명백
금지 금방 금액 금요 금융 금리 금연 금지 금수
왕자 왕따 왕복 인간 인생 인정 인기 인터 인사 인식 인증 인상 인연 인물 인구 인원 인형 인간 인하
반대 반드 반응 반복 반성 반찬 반말 반영 반지 반장 반갑 반값
위해 위험 위치 위로 위기 위반 위원 위주 위대 위쪽 위생
표현 표정 표시 표준 표면 길이 길게 길어 경찰 경험 경우 경기 경제 경쟁 경영 경고 경력 경계 경상 경비
모두 모든 모습 모르 모임 모델 모양 모르는 모자 모집 모름 모바 모험 모범 모기 모래
제발 제대 제일 제가 제품 제도 제목 제공 제외 제출 제한 제주 제작 제안 제보 제의
국민 국가 국회 국내 국제 국물 국어 국적 국밥 국정
사람 사랑 사실 사진 사과 사회 사건 사용 사이 사장 사고 사업 사정 사유 사소 사귀 사상 사원
부모 부탁 부족 부분 부자 부정 부담 부장 부인 부산 부러 부끄 부디 부근 부작 부동
가족 가능 가장 가격 가게 가방 가슴 가끔 가득 가을 가지 가서 가요 가치 가상 가수
용기 용서 용돈 용도 용어 용량 예전 예정 예약 예쁜 예민 예상 예의 예술 예수 예산 예시
선생님 하나님 하느님 사장님 구매자 판매자 신청자 주문자 진행자 사용자 사회자 지도자 이용자 관리자 운영자
정도로 정말로 이상한 이상해 강아지 고양이 원숭이 오징어 이야기 연예인 정치인 국회의원 대통령
연락주 연락은 연락처 연락해 연락을 연락이 신여권 구여권 예약자 명의자 계약자 수령인 입금자 예금주 성함은 이름은 주소는 배송은 고객님 회원님 기사님 사장님 우리 하나 나는 나도 저는 한국인 배송지 주소지 거주지 수령지 도착지 목적지 출발지 소재지 근무지 여행지 관광지 배송 배달지 신청서 주문서 배송비 여기로 여기요 여기다 여기도 여기랑 기상청 지각 추기경 주홍글 우리국 방금전 유명한 훌륭한 유능한 친절한 소방관 경찰관 교도관 외교관 사무관 주무관 기관장 신천지 지루하 소소하 안이하 진정한 엄청난 대단한 진정성 한남충 주한미 금의환 이달 석자 연기로 심정도 문제지 나이가 기자랑 노가다 성형해 한글도 이지구 이모가 지난주 나라가 배우자 공무원 정상인 이상형 외국인 한국어 한국말 조선인 정치인 남자친구 여자친구 남사친 여사친 강사님 주인공 장남 장녀 차남 차녀 신입생 신혼부부 하원 중국인 일본인 미국인 고등학생 대학생 이번엔 이번주 이번달 정말요
""".split()
# Titles and kinship words that stand where a given name would (김 부장님, 박 선생님).
titles = """선생 사장 부장 과장 차장 회장 대리 팀장 실장 원장 교수 기자 작가 감독 선수 박사 의원 장관 대표 이사 상무 전무
소장 총장 국장 반장 주임 계장 기사 검사 판사 목사 신부 수녀 장로 권사 집사 교장 교감 강사 약사 의사 형사 경사 경장 순경
경위 경감 병장 상병 일병 이병 중사 하사 소위 중위 대위 소령 중령 대령 대장 중장 준장 시장 군수 여사 도령 서방 마님 총무 이모
고모 삼촌 선배 후배 동생 언니 오빠 누나 형님 아재 영감 사모 사부 도사 대사 주무 사원 간사 위원 의장 처장 지사 청장 본부
매니저 디자이너 대통령 총리 변호사 간호사 회계사 세무사 교육감 지점장 부회장 부사장 전도사 비서 비서관 조교 코치 작곡가 원사 배우 가수 셰프 피디 작곡 아나 변호 성우 개그 회원 고객 손님 형님 누님 아씨 도련 마마 저하 전하 폐하 작가 여배우 아나운서""".split()

def idx(s): return ord(s) - 0xAC00
def pack(w):
    v = 0
    for ch in w:
        assert '가' <= ch <= '힣', w
        v = (v << 14) | (idx(ch) + 1)
    return v

out = []
out.append("/* SPDX-License-Identifier: MIT */")
out.append("/*\n * person_tables.h -- the tables of the PERSON detector (src/detect/person.c),\n"
           " * included by that file only. Generated once from plain word lists and kept\n"
           " * sorted for binary search (tests/unit/test_person.c checks the order).\n"
           " *\n * Hangul syllables are stored as their index from U+AC00 (가); words as\n"
           " * up to four syllable indexes plus one, 14 bits each, first syllable highest.\n"
           " * Surname frequencies are per 10,000 people (Statistics Korea, 2015 census,\n"
           " * rounded); they set how much a surname alone is worth.\n */")
out.append("#ifndef PVG_DETECT_PERSON_TABLES_H\n#define PVG_DETECT_PERSON_TABLES_H\n\n#include <stdint.h>\n")
s1 = sorted(set((idx(c), f) for c, f in surn))
assert len(set(a for a, _ in s1)) == len(s1)
out.append("typedef struct pvg__surname { uint16_t syl; uint16_t per10k; } pvg__surname_t;\n")
out.append("/* One-syllable surnames. */\nstatic const pvg__surname_t person_surnames[] = {")
line = "   "
for a, f in s1:
    item = " {%d, %d}," % (a, f)
    if len(line) + len(item) > 98:
        out.append(line); line = "   "
    line += item
out.append(line); out.append("};\n")
s2 = sorted((pack(w), f, w) for w, f in surn2)
out.append("/* Two-syllable surnames (남궁, 황보, ...), packed. */\nstatic const struct { uint32_t word; uint16_t per10k; } person_surnames2[] = {")
for p, f, w in s2:
    out.append("    {%du, %d}, /* %s */" % (p, f, w))
out.append("};\n")
g = sorted(set(idx(c) for c in given))
out.append("/* Syllables common in given names. */\nstatic const uint16_t person_given[] = {")
line = "   "
for a in g:
    item = " %d," % a
    if len(line) + len(item) > 98:
        out.append(line); line = "   "
    line += item
out.append(line); out.append("};\n")
cw = sorted(set(pack(w) for w in common))
out.append("/* Common words that look like a surname and given-name syllables. */\nstatic const uint64_t person_common[] = {")
line = "   "
for a in cw:
    item = " %du," % a if a < 2**32 else " %dull," % a
    if len(line) + len(item) > 98:
        out.append(line); line = "   "
    line += item
out.append(line); out.append("};\n")
tw = sorted(set(pack(w) for w in titles))
out.append("/* Titles and kinship words standing after a surname (김 부장님). */\nstatic const uint64_t person_titles[] = {")
line = "   "
for a in tw:
    item = " %du," % a if a < 2**32 else " %dull," % a
    if len(line) + len(item) > 98:
        out.append(line); line = "   "
    line += item
out.append(line); out.append("};\n")
out.append("#endif /* PVG_DETECT_PERSON_TABLES_H */")
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "detect", "person_tables.h"), "w").write("\n".join(out) + "\n")
print(len(s1), len(s2), len(g), len(cw), len(tw))
