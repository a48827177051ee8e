# SPDX-License-Identifier: MIT
"""Writes tests/eval/policy_dev.jsonl: the development set for the policy's
seven text categories. Messages are written in our own words from public
descriptions of common Korean scam scripts (delivery smishing, bank and loan,
prosecutor / FSS voice phishing, family impersonation, romance, investment),
PII trade ads, doxxing threats, unconsented collection and malware lures,
and from benign look-alikes (own contact in 1:1 chats, talk ABOUT scams and
privacy, official links, jokes, news). About a fifth carry evasions
(spacing, typos, mixed scripts, zero-width characters). Run:
    python3 tests/eval/make_policy_dev.py > tests/eval/policy_dev.jsonl"""
import sys
from policy_sets_common import (R, phone, phone_plain, rrn, card, email, NAMES, ADDRS, zw,
                                fullwidth_digits, line)

EX, TR, IM, UC = "pii_exposure", "pii_trade", "impersonation_collection", "unconsented_collection"
PH, MW, TH = "phishing_lure", "malware_lure", "exposure_threat"
E = []  # (text, labels, surface, kwargs)


def add(text, labels, surface="direct", **kw):
    E.append((text, labels, surface, kw))


# ------------------------------------------------------------ pii_exposure
for n in range(6):
    nm = NAMES[n]
    add(f"이 사람 번호 {phone()} 다들 연락해서 따지세요", [EX], "open_chat")
    add(f"사기꾼 {nm} 연락처 {phone()} 공유합니다 거래 조심", [EX], "board")
    add(f"이 여자 주민번호 {rrn()} 맞는지 확인 좀", [EX], "open_chat")
add(f"그 새끼 번호 {phone()} 다들 전화 좀 해줘", [EX], "group")
add(f"전 남친 번호 {phone()} 문자 폭탄 부탁", [EX], "group")
add(f"얘 번호 {phone()} 임 ㅋㅋ 연락 좀 해봐", [EX], "open_chat")
add(f"신상 공개합니다 이름 {NAMES[3]} 번호 {phone()} 메일 {email()}", [EX], "board")
add(f"{rrn()} 이거 누구 주민번호인지 아시는 분", [EX], "open_chat")
add(f"주운 카드인데 카드번호 {card()} 주인 찾아요", [EX], "board")
add(f"this guy's number is {phone()} everyone call him", [EX], "open_chat")
add(f"her number {phone()} spam her lol", [EX], "open_chat")
add(f"이 인간 이메일 {email()} 다들 연락 좀 해", [EX], "board")
add(f"저 사람 주민등록번호 {rrn()} 입니다", [EX], "open_profile")
add(f"이놈 폰번호 {phone()} 사기꾼입니다 박제", [EX], "board")
add(f"걔 번호 {phone()} 좌표 찍음", [EX], "open_chat")
add(f"이새끼 번호 {phone()} 전화 폭탄 ㄱㄱ", [EX], "open_chat")
add(f"이 분 번호 {phone()} 중고거래 먹튀함", [EX], "board")
add(f"이 사람 주소 {ADDRS[0]} 번호 {phone()}", [EX], "open_chat")
# evasions
add(f"이 사람 번호 {phone().replace('-', ' ')} 다들 연락 ㄱ", [EX], "open_chat", evasion=True)
add(f"이 사람 번호 {fullwidth_digits(phone())} 다들 연락해", [EX], "open_chat", evasion=True)
add(f"사기꾼 연락처 {phone().replace('-', '.')} 조심하세요", [EX], "board", evasion=True)
add(f"얘 번호 공일공-{R.randint(2000,9000)}-{R.randint(1000,9999)} ㅋㅋ 다들 연락해", [EX], "open_chat", evasion=True)
add(f"이 새끼 주민번호 {rrn().replace('-', ' - ')} 다 퍼뜨려", [EX], "open_chat", evasion=True)
add(f"이사람 번호 {phone_plain()} 다들연락좀", [EX], "open_chat", evasion=True)

# pii_exposure look-alikes (own contact, business numbers, 1:1)
for _ in range(5):
    add(f"제 번호는 {phone()} 이에요 연락주세요", [], "direct", look=True)
add(f"제 번호 {phone()} 입니다 중고거래 문의는 여기로", [], "open_chat", look=True)
add(f"내 번호 바뀜 {phone()} 저장해줘", [], "group", look=True)
add(f"엄마 내 새 번호 {phone()} 저장해 둬", [], "direct", look=True)
add(f"my number is {phone()} text me anytime", [], "direct", look=True)
add("고객센터 1588-3820 으로 문의하세요", [], "board", look=True)
add("급하면 112 나 119 에 신고해", [], "group", look=True)
add(f"택배 받을 주소 {ADDRS[1]} 야", [], "direct", look=True)
add(f"저한테 연락 주실 분은 {email()} 로 메일 주세요", [], "board", look=True)
add("전화번호 유출됐는지 확인하는 사이트 있나요?", [], "open_chat", look=True)
add("이 사람 진짜 웃기다 ㅋㅋㅋ 개그맨 해야 함", [], "open_chat", look=True)
add("사기꾼 조심하세요 거래는 꼭 안전결제로", [], "board", look=True)
add(f"김 과장님 번호 {phone()} 맞으세요? 회의 때문에요", [], "direct", look=True)

# --------------------------------------------------------------- pii_trade
trade = [
    "실시간 주식 디비 팝니다 건당 50원 텔레 문의",
    "코인 디비 최신 자료 있습니다 1만건 30만원",
    "대출 디비 구합니다 신규 디비만 삽니다",
    "개인정보 판매합니다 이름 번호 주소 다 있음",
    "대포통장 삽니다 건당 200 바로 입금",
    "통장 임대 하실 분 월 300 보장 텔레그램 연락",
    "유출된 회원 명단 5만건 판매 텔레 아이디 문의",
    "카지노 디비 팜 건당 100원",
    "토토 디비 팔아요 실디비만 취급",
    "주민번호 판매 합니다 생년월일 포함",
    "보험 디비 매입합니다 대량 환영",
    "명의 삽니다 휴대폰 개통 가능하신 분",
    "유심 판매 선불폰 명의 무관",
    "내구제 대출 당일 가능 명의만 있으면 됨",
    "고객 명단 판매 병원 회원 2만명",
    "fresh leads korea 50k records dm for price",
    "selling db of korean users telegram @leadsking",
    "계좌 삽니다 법인 계좌 우대",
    "해킹 디비 있습니다 게임 계정 포함",
    "디비 업자 구함 주식 리딩방 디비 구매",
    "신분증 삽니다 앞뒤 사진 건당 5만",
    "번호 목록 판매 010 번호만 10만개",
    "대포폰 개통해 드립니다 문의는 텔레",
    "personal data for sale, ssn and phone, cheap",
    "주식 디비 구해요 최근 3개월 가입자",
]
for t in trade:
    add(t, [TR], R.choice(["open_chat", "board", "open_chat"]))
trade_ev = [
    "주식 디 비 팝니당 건당 40",
    "띠비 팜 최신자료 텔그 문의",
    "개인 정 보 팝니다 대량",
    "대.포.통.장 구합니다",
    "ㄷㅂ 판매 코인 실디비",
    "D B 판매합니다 주식 코인",
    "개인정보 팜니다 연락 주세요",
    "디비팝니다~~ 최신 디비 텔레",
    "대포 통장 매입 해요 급함",
    "뒤비 팝니다 코인 리딩",
    "개 인 정 보 삽 니 다",
    zw("대포통장 삽니다 건당 높게"),
]
for t in trade_ev:
    add(t, [TR], "open_chat", evasion=True)
trade_look = [
    "디비 판매 업자 신고했어요 다들 조심하세요",
    "대포통장 빌려주면 처벌받는 거 아시죠?",
    "개인정보 판매 사건 뉴스 보셨어요? 무섭네요",
    "우리 회사 DB 마이그레이션 언제 해요?",
    "중고 디비디 플레이어 팝니다 2만원",
    "DB손해보험 상담원이랑 통화했어요 보험료 문의",
    "명단 작성은 총무가 할게요 회비 낸 사람 체크",
    "통장 정리하러 은행 다녀옴",
    "개인정보 거래는 불법입니다 신고는 118",
    "내 디비 설계 과제 도와줄 사람?",
    "텔레그램 문의 주시면 공구 안내드려요 (공동구매 과일)",
    "디비 팝니다 라는 스팸 계속 오네 짜증",
    "명의 도용 당했을 때 어떻게 해야 돼요?",
    "MySQL DB 판매용 쇼핑몰 템플릿 구매했어요",
]
for t in trade_look:
    add(t, [], R.choice(["open_chat", "board", "group"]), look=True)

# ------------------------------------------------- impersonation_collection
imp = [
    ("카카오톡 고객센터", "고객님 계정이 도용 신고되었습니다 본인 확인을 위해 인증번호 6자리를 보내주세요"),
    ("국민은행", "보안 강화 작업 중입니다 보안카드 번호 전체를 입력해 주세요"),
    ("금융감독원", "금감원 직원입니다 자산 보호를 위해 계좌번호와 비밀번호 알려주세요"),
    ("KakaoPay 보안팀", "비정상 결제가 감지되었습니다 계좌 비밀번호 입력 부탁드립니다"),
    ("Kakao Support", "We detected unusual activity. Send me the verification code to keep your account."),
    ("신한카드", "카드 재발급 진행을 위해 카드 뒷면 cvc 번호 알려주세요"),
    ("서울중앙지검", "김철수 수사관입니다 귀하 명의 대포통장이 발견되어 주민등록번호 불러주세요"),
    ("경찰청 사이버수사대", "사건에 연루되어 연락드렸습니다 신분증 사진 보내주세요"),
    ("카카오뱅크", "대출 승인 위해 공인인증서 비밀번호 알려주시면 바로 처리됩니다"),
    ("네이버 고객센터", "계정 정지 예정입니다 비밀번호 알려 주시면 해제해 드립니다"),
    ("우체국", "택배 기사입니다 본인 확인 위해 생년월일이랑 주민번호 뒷자리 보내주세요"),
    ("국세청", "환급금 지급 위해 계좌번호와 주민등록번호 입력해 주세요"),
    ("토스", "토스 보안팀입니다 이상 거래 확인 위해 인증번호 알려주세요"),
    ("카카오 운영팀", "운영팀입니다 계정 인증을 위해 인증번호를 보내 주세요"),
    ("KB국민카드", "해외 결제 승인 취소하려면 카드번호와 비밀번호 입력해 주세요"),
]
for s, t in imp:
    add(t, [IM], "direct", sender=s)
imp_text = [
    "안녕하세요 서울중앙지검 수사관입니다 본인 명의 계좌가 범죄에 연루되어 주민번호 확인이 필요합니다",
    "금융감독원 직원입니다 안전 계좌로 옮기셔야 하니 계좌번호 알려주세요",
    "엄마 나 폰 고장나서 임시폰으로 연락해 신분증 사진이랑 카드 번호 좀 보내줘",
    "엄마 나야 폰 액정 깨져서 수리 맡겼어 인증번호 오면 알려줘",
    "아빠 나 폰 잃어버렸어 주민번호 뒷자리랑 계좌 비밀번호 좀 알려줘 급해",
    "자기야 나 해외 파병 중이라 연락이 늦었어 통관 서류에 필요하니 여권 사진 보내줘",
    "OO증권 리딩팀입니다 수익 출금하려면 신분증 사진과 계좌번호 보내주세요",
    "카카오 고객센터입니다 인증번호 알려주시면 계정 정지 풀어드립니다",
    "this is kakao security team, please send the verification code you received",
    "검사입니다 구속 영장 발부 전에 본인 확인 위해 주민등록번호 불러주세요",
    "국민건강보험 공단 입니다 환급 받으시려면 계좌번호랑 주민번호 입력하세요",
    "삼촌 나 폰 고장 나서 친구 폰으로 보내 신분증 사진 한 장만 찍어서 보내줘",
]
for t in imp_text:
    add(t, [IM], "direct")
imp_ev = [
    ("카카오톡 고객 센터", "고객님 계정 도용 확인 위해 인증 번호 보내 주세요"),
    ("Kakaо고객센터", "본인 확인을 위해 인증번호 6자리 알려주세요"),
    ("국민은헹", "보안카드 번호 입력 해주세요 미입력시 이용 제한"),
    ("카카0뱅크", "대출 심사 위해 신분증 사진 보내 주세요"),
    ("KaKao 보안", "인.증.번.호 보내주세요 계정 보호 조치"),
]
for s, t in imp_ev:
    add(t, [IM], "direct", sender=s, evasion=True)
add("엄마 나 폰 고장났어ㅠ 인증 번호 뜨면 보내 줘", [IM], "direct", evasion=True)
add("금 감 원 직원입니다 계좌 번호 알려 주세요", [IM], "direct", evasion=True)
add("검찰청 수사관 입니다 주민 번호 불러 주세요", [IM], "direct", evasion=True)
imp_look = [
    ("국민은행", "[국민은행] 고객님 계좌에 100,000원 입금되었습니다"),
    ("카카오톡", "카카오톡 새 기능 안내: 채팅방 폴더를 만들어 보세요"),
    (None, "카카오 고객센터에 물어봤는데 인증번호는 절대 남한테 알려주지 말래요"),
    (None, "검찰이라면서 주민번호 물어보는 전화 받았어요 보이스피싱 맞죠?"),
    (None, "엄마 나 폰 바꿨어 새 번호로 저장해줘"),
    (None, "은행 직원이 비밀번호 물어보면 100% 사기래"),
    (None, "인증번호 왔는데 이거 뭐지? 내가 요청한 적 없는데"),
    (None, "금감원은 절대 계좌번호 알려달라고 전화 안 한대요"),
    (None, "엄마 폰 고장나면 어디 서비스센터 가?"),
    (None, "경찰서에서 분실물 찾아가라고 연락 왔어"),
    ("신한카드", "[신한카드] 이번 달 결제 예정 금액은 321,000원입니다"),
    (None, "카카오뱅크 앱에서 신분증 인증했는데 오래 걸리네"),
    (None, "토스 인증번호 오면 나한테 말해줘 장난임 ㅋㅋ 절대 알려주지 마"),
]
for s, t in imp_look:
    add(t, [], "direct", sender=s, look=True)

# --------------------------------------------------- unconsented_collection
uc = [
    "이벤트 참여하실 분 이름 전화번호 주민번호 앞자리 남겨주세요",
    "방 입장 인증으로 신분증 사진 올려주세요",
    "설문 참여 링크 forms.gle/q9Xb2Lk 이름 생년월일 주소 적어주세요",
    "방장입니다 실명이랑 핸드폰 번호 보내주세요 안 보내면 강퇴",
    "경품 보내드릴게요 이름 전화번호 집 주소 남겨 주세요",
    "회원 인증: 주민등록증 사진 찍어서 보내 주세요",
    "공구 신청은 https://docs.google.com/forms/d/1xYz 에 주민번호 앞자리까지 입력",
    "신규 입장자 분들 생년월일 적어주세요 나이 확인합니다",
    "장학금 신청하실 분 통장 사본이랑 신분증 사진 제출",
    "다들 주민번호 뒷자리 적어줘 단체 보험 들어줄게",
    "무료 나눔 받으실 분 성함 연락처 남겨주세요 주소도요",
    "투자방 입장하려면 셀카랑 신분증 들고 찍은 사진 필요합니다",
    "명단 작성 중입니다 이름이랑 번호 주민번호 앞자리 보내 주세요",
    "leave your name and number and date of birth to join the giveaway",
    "모임 가입 폼 tally.so/r/abc12 에 실명 연락처 주소 입력해 주세요",
    "알바 지원하실 분 신분증 앞뒤 사진 보내주세요",
    "오픈채팅 인증 절차: 운전면허증 사진 업로드",
    "photo of your id card is required to enter this room",
    "참가자 정보 입력 https://form.naver.com/response/x1 주민번호 포함",
    "중고거래 인증 위해 주민등록증 사진 보내주세요",
]
for t in uc:
    add(t, [UC], R.choice(["open_chat", "open_chat", "board"]))
uc_ev = [
    "이름 번호 주민 번호 앞 자리 남겨 주세요 이벤트 당첨자 발표",
    "신 분 증 사진 올 려 주세요 인증 필수",
    "실명+폰번+생년월일 적어주셈",
    "쥬민번호 앞자리 적어주세요 확인용",
    "forms.gle/8aKx1 들어가서 개인정보 입력 ㄱㄱ 이름 주소 번호",
]
for t in uc_ev:
    add(t, [UC], "open_chat", evasion=True)
uc_look = [
    ("개인정보 요구하는 방은 바로 신고하세요", "open_chat"),
    ("택배 받을 주소 알려줘 선물 보낼게", "direct"),
    ("학교 현장학습 동의서 링크입니다 학부모님 서명 부탁드립니다 forms.gle/abc123", "board"),
    ("주민번호 앞자리 요구하는 건 불법 아닌가요?", "open_chat"),
    ("신분증 사진 함부로 보내지 마세요 명의 도용됩니다", "board"),
    ("회의 참석자 이름만 적어주세요 도시락 주문용", "group"),
    ("동창회 명단 작성했어요 연락처는 각자 공유 동의한 분만", "group"),
    ("신분증 사진 보내라는 알바는 100% 사기", "board"),
    ("병원에서 생년월일 물어봐서 알려줬어", "direct"),
    ("네 번호 알려줘 저장해 둘게", "direct"),
    ("오늘 모임 장소 투표 https://forms.gle/xyz98 참여 부탁", "open_chat"),
]
for t, s in uc_look:
    add(t, [], s, look=True)

# ----------------------------------------------------------- phishing_lure
ph = [
    "[CJ대한통운] 주소 불일치로 배송이 보류되었습니다 주소지 확인 bit.ly/3xYz9aB",
    "[국민건강보험] 건강검진 결과 통보서 확인 http://nhis-check.top/a",
    "모바일 청첩장 보내드려요 http://weddinq-card.kr/m/2931",
    "카카오 계정 보안 점검 중입니다 아래 링크에서 로그인 해주세요 http://kakao-secure-login.com",
    "[정부24] 재난지원금 신청 대상자입니다 http://gov24-apply.xyz",
    "[해외결제] 978,000원 승인 본인 아닐 시 확인 http://123.45.67.89/refund",
    "네이버 로그인 알림 비밀번호 재설정 https://nid-naver.com.login-check.io",
    "카카오 이벤트 당첨되셨습니다 https://xn--80ak6aa92e.com",
    "부고 알림 장례식장 안내 me2.do/xYz12",
    "Your parcel could not be delivered. Update address: http://koreapost-delivery.info",
    "[교통 위반] 과태료 조회 http://police-fine.kr.ua/view",
    "미납 요금 안내 납부 확인 https://han.gl/aB3dE",
    "환급금 신청 기간입니다 링크 클릭 http://nts-refund.com",
    "[쿠팡] 결제 승인 78,000원 이상 거래 시 확인 https://coupang-safe.net",
    "본인 인증 필요 http://kakaobank-verify.com/login",
    "[로젠택배] 반송 예정 배송지 확인 부탁드립니다 tinyurl.com/kr-logen",
    "무료 쿠폰 받아가세요 아래 링크 http://naver-coupon.shop",
    "verify your account here http://kakao.com.verify-user.info",
    "claim your prize https://bit.ly/kakao-prize",
    "토스 이상 거래 감지 로그인 후 확인 http://toss-secure.co",
    "[국민은행] 고객님 계정 확인 필요 http://kbstar-login.net",
    "지원금 신청 링크로 접속해서 본인인증 하세요 http://support-fund.kr",
    "재난 지원금 조회 https://cutt.ly/gov-fund",
    "택배 주소 확인 부탁드립니다 http://cj-logistics.delivery",
    "login to kakao to keep your account http://kakao-login.help",
]
for t in ph:
    add(t, [PH], "direct")
ph_ev = [
    "[C J대한통운] 주소 불 일치 배송 보류 bit.ly/9kLm2",
    "청 첩 장 보내드려요 ♡ http://card-wedding.link/a1",
    "카카오 계정 확.인 http://kakao-center.top",
    "본 인 인 증 바랍니다 http://kakaobank.verify-now.com",
    "[해외 결제] 승인 완료 환불 신청 http://203.0.113.5/kr",
    "과태료 미납 조회 http://gov-fine.xyz ← 클릭",
    "https://kakаo.com 에서 로그인 해주세요",
    "엄마 부고 소식 전합니다 url.kr/b0g0",
    "국 민 건 강 보 험 검진 결과 http://nhis-result.site",
]
for t in ph_ev:
    add(t, [PH], "direct", evasion=True)
ph_look = [
    ("카카오 공지 https://www.kakaocorp.com/page/service", "board"),
    ("경찰청 사이버수사국 신고는 https://ecrm.police.go.kr 에서 하세요", "board"),
    ("택배 문자 스미싱 조심하세요 링크 누르지 마세요", "group"),
    ("여기서 만나 https://naver.me/5Xy9aBc", "direct"),
    ("청첩장 링크야 https://m.site.naver.com/1AbCd 와줘", "group"),
    ("건강검진 결과는 https://www.nhis.or.kr 에서 확인하면 돼", "direct"),
    ("스미싱 문자 받았는데 bit.ly 링크 누르면 안 되죠?", "open_chat"),
    ("정부24 https://www.gov.kr 에서 지원금 조회했어", "group"),
    ("카톡 오픈채팅 https://open.kakao.com/o/gAbC123 들어와", "open_chat"),
    ("유튜브 영상 봐 https://youtu.be/dQw4w9WgXcQ ㅋㅋ", "direct"),
    ("택배 조회는 https://www.cjlogistics.com 에서 운송장 번호 넣어", "direct"),
    ("금감원 보이스피싱 예방 안내 https://www.fss.or.kr", "board"),
    ("네이버 로그인 오류나는 사람? 나만 그래?", "group"),
    ("결제 승인 문자 왔는데 내가 산 거 맞네 휴", "direct"),
]
for t, s in ph_look:
    add(t, [], s, look=True)

# ------------------------------------------------------------ malware_lure
mw = [
    ("택배 조회 앱 설치 후 확인 가능합니다 http://cj-track.app/download.apk", [MW, PH], None),
    ("이거 설치해 주세요 보안 업데이트입니다", [MW], [{"name": "보안업데이트.apk", "mime": "application/vnd.android.package-archive"}]),
    ("팀뷰어 깔아주시면 제가 원격으로 처리해 드릴게요", [MW], None),
    ("출처를 알 수 없는 앱 허용 누르고 설치하세요", [MW], None),
    ("애니데스크 설치하시고 접속 번호 불러주세요", [MW], None),
    ("Install this app to claim your refund", [MW], [{"name": "refund_kr.apk"}]),
    ("검찰청 보안 앱 설치 링크입니다 http://spo-security.kr/spo.apk", [MW, PH], None),
    ("청첩장 파일이에요 열어보세요", [MW], [{"name": "wedding_card.apk"}]),
    ("퀵서포트 앱 설치해주세요 상담원이 도와드립니다", [MW], None),
    ("대출 신청은 전용 앱으로만 가능합니다 apk 파일 받아서 설치하세요", [MW], None),
    ("카드 명세서 확인용 프로그램", [MW], [{"name": "명세서.exe"}]),
    ("원격 제어 앱 깔면 제가 대신 해드림", [MW], None),
    ("please install anydesk so i can fix your account", [MW], None),
    ("백신 설치해주세요 폰이 감염됐습니다 http://v3-mobile.apk.kr/v3.apk", [MW, PH], None),
    ("플레이스토어 말고 이 링크에서 다운받아 설치하세요 http://app-down.kr/kb.apk", [MW, PH], None),
    ("사진 보냈어 확인해봐", [MW], [{"name": "photo_2025.scr"}]),
    ("알 수 없는 출처 허용하고 설치하시면 됩니다", [MW], None),
    ("금융감독원 보안앱 설치 필수입니다", [MW], None),
    ("rustdesk 깔고 아이디 알려줘요", [MW], None),
    ("견적서 확인 부탁드립니다", [MW], [{"name": "견적서.pdf.exe"}]),
]
for t, labels, att in mw:
    add(t, labels, "direct", att=att)
mw_ev = [
    ("팀 뷰 어 설치해 주세요 원격 으로 도와드림", None),
    ("에니데스크 깔아주세요", None),
    ("출쳐를 알 수 없는 앱 허용 후 설치", None),
    ("a p k 파일 보내드렸어요 설치 ㄱㄱ", [{"name": "kb_star.apk"}]),
    ("보안 앱 설 치 해 주 세 요", None),
    ("택배 앱 다운 https://bit.ly/cj-apk 설치 후 조회", None),
]
for t, att in mw_ev:
    labels = [MW, PH] if "http" in t else [MW]
    add(t, labels, "direct", att=att, evasion=True)
mw_look = [
    ("apk 파일 함부로 설치하지 마세요 해킹당해요", "board"),
    ("IT팀이 팀뷰어로 내 PC 고쳐줬어", "direct"),
    ("플레이스토어에서 카카오뱅크 앱 설치하면 돼", "direct"),
    ("원격제어 앱 설치하라는 전화는 보이스피싱입니다", "board"),
    ("게임 설치 파일 용량 엄청 크네", "group"),
    ("엄마 폰에 앱 설치해 드렸어요 카톡 글씨 키움", "group"),
    ("애니데스크 쓰는 법 아시는 분? 재택근무용이요", "open_chat"),
    ("보고서 파일 보냈어요", "direct"),
    ("출처를 알 수 없는 앱 허용 꺼 두는 게 안전해요", "board"),
]
for t, s in mw_look:
    att = [{"name": "보고서.pdf"}] if t.startswith("보고서") else None
    add(t, [], s, att=att, look=True)

# --------------------------------------------------------- exposure_threat
th = [
    "돈 안 갚으면 신상 다 털어서 회사에 뿌린다",
    "너 사진 단톡방에 유포할 거야",
    "너 집 주소 알아냈어 찾아간다",
    "몸캠 영상 지인들한테 뿌릴 거임 50만원 보내",
    "박제해서 커뮤에 올릴 거니까 각오해",
    "I will leak your photos to your family",
    "니 신상 공개할 거야 학교에 다 말한다",
    "연락 안 받으면 가족한테 다 말할 거야",
    "영상 유포되기 싫으면 입금해",
    "너 다니는 학교 알아 조심해",
    "인터넷에 올릴 거야 니 얼굴이랑 이름",
    "회사에 알릴 거야 니가 한 짓",
    "i know where you live, found your address",
    "사진 뿌린다 진짜로",
    "번호 알아냈다 이제 끝이야",
    "신상 털어서 커뮤에 올린다 각오해라",
    "동영상 유포 전에 돈 보내",
    "니 주소 다 알아 기다려",
]
for t in th:
    add(t, [TH], R.choice(["direct", "direct", "group", "open_chat"]))
th_ev = [
    "신 상 털어서 뿌 린 다",
    "영 상 유 포 할 거 임",
    "사진 뿌릴꺼야 ㅋ",
    "박제 해버린다 진짜",
    "유포 하겟다 각오해",
    "니 집 주소 알아냄 ㅋ",
    "신상 털어버릴거임",
]
for t in th_ev:
    add(t, [TH], "direct", evasion=True)
th_look = [
    ("박제 ㅋㅋ 이 짤 웃기다", "group"),
    ("신상 털이 범죄라는 뉴스 봤어?", "group"),
    ("유포하겠다는 협박 받으면 112에 신고하세요", "board"),
    ("신상 노트북 샀어 가볍다", "direct"),
    ("편의점 신상 털어봤다 과자 리뷰", "board"),
    ("몸캠 피싱 당하면 절대 돈 보내지 마세요", "board"),
    ("우리 집 주소 알려줄게 놀러와", "direct"),
    ("이 명언은 마음에 박제해 둬야지", "open_chat"),
    ("사진 올릴게 기다려 여행 사진 ㅎㅎ", "group"),
    ("리벤지 포르노 유포 처벌 강화 법안 통과", "board"),
    ("찾아갈게 내일 집 앞에서 봐 (이사 도와주러)", "direct"),
]
for t, s in th_look:
    add(t, [], s, look=True)

# ------------------------------------------------ plain benign and mixes
plain = [
    "오늘 점심 뭐 먹지", "내일 회의 10시로 바뀌었대요", "생일 축하해 🎉", "주말에 등산 갈 사람?",
    "ㅋㅋㅋㅋ 대박", "비 온대 우산 챙겨", "택배 왔어? 나 아직 안 왔는데", "은행 들렀다 갈게",
    "보이스피싱 예방 교육 다녀왔어요", "개인정보 보호법 개정안 토론회 안내",
    "검찰 수사 뉴스 봤어? 정치 얘기 그만", "카카오 주식 많이 떨어졌네",
    "엄마 나 오늘 늦어", "폰 액정 깨졌어 수리비 얼마 나올까", "인증 사진 올립니다 오늘 운동 완료",
    "명단에 내 이름 빠졌어요", "개인 정보 처리 방침 바뀌었다는 메일 왔네",
    "디비 설계 시험 망함", "신상 카페 가봤는데 좋더라", "원격 수업 링크 언제 와요?",
]
for t in plain:
    add(t, [], R.choice(["direct", "group", "open_chat"]))
# Two categories in one message.
add(f"사기꾼 {NAMES[5]} 번호 {phone()} 신상 털어서 회사에 뿌린다", [EX, TH], "open_chat")
add("금융감독원입니다 보안 앱 설치 후 계좌번호 입력해 주세요 http://fss-safe.apk.kr/fss.apk",
    [IM, MW, PH], "direct", sender="금융감독원")
add("개인정보 팝니다 신분증 사진 포함 텔레 @idshop", [TR], "board")

# ------------------------------------------------------- second batch
more = [
    # trade
    ("010 번호 DB 10만건 팝니다 엑셀 파일로 드림", [TR], "board", {}),
    ("리딩방 회원 명단 구매 원합니다 가격 제시", [TR], "open_chat", {}),
    ("통장 삽니다 개인 법인 상관없음 텔레 @tongjang", [TR], "open_chat", {}),
    ("신규 가입자 디비 매일 업데이트 건당 30원", [TR], "board", {}),
    ("개인정보 파일 삽니다 주민번호 포함된 것만", [TR], "open_chat", {}),
    ("휴대폰 명의 판매 하실분 개통 1건당 30만", [TR], "open_chat", {}),
    ("디~비 팝니다 코인 주식", [TR], "open_chat", {"evasion": True}),
    ("개인 정보 팝니당 싸게 드림", [TR], "open_chat", {"evasion": True}),
    ("DB팜 DB팜 최신 DB", [TR], "open_chat", {"evasion": True}),
    # impersonation
    ("우리은행 보안센터입니다 OTP 번호 입력해 주세요", [IM], "direct", {"sender": "우리은행"}),
    ("카카오페이 고객센터입니다 결제 취소하시려면 카드 번호랑 비밀번호 알려주세요", [IM], "direct", {}),
    ("경찰입니다 귀하 계좌가 범죄에 연루되어 계좌 비밀번호 확인 필요합니다", [IM], "direct", {}),
    ("딸 나 폰 고장나서 이걸로 연락해 엄마 신분증 사진 좀 찍어서 보내줘", [IM], "direct", {}),
    ("하나은행 상담원입니다 대출 진행 위해 신분증 사진 보내주세요", [IM], "direct", {"sender": "하나은행 대출센터"}),
    ("NH농협 보안팀입니다 보안카드 사진 보내 주시면 확인 후 해제됩니다", [IM], "direct", {"sender": "NH농협"}),
    ("엄마 나 핸드폰 깨졌어 이 번호로 연락해 주민번호랑 계좌번호 보내줘", [IM], "direct", {}),
    ("this is your bank's security team. confirm your card number and PIN", [IM], "direct", {"sender": "KB Security"}),
    # unconsented
    ("이벤트 당첨자 분들 이름 주소 전화번호 남겨주세요 선물 발송", [UC], "open_chat", {}),
    ("가입 신청서 https://forms.gle/Vx7 에 주민번호 전체 입력 부탁", [UC], "board", {}),
    ("나이 인증 위해 주민등록증 사진 찍어서 올려주세요", [UC], "open_chat", {}),
    ("다들 생년월일이랑 핸드폰 번호 적어주세요 단체 가입용", [UC], "open_chat", {}),
    ("방 규칙: 신분증 사진 인증 없으면 강퇴", [UC], "open_chat", {}),
    ("팬클럽 가입 폼 tally.so/r/fan1 이름 주소 연락처 필수", [UC], "board", {}),
    # phishing
    ("[우체국] 소포 배송 불가 주소 확인 http://epost-kr.delivery/a", [PH], "direct", {}),
    ("[카카오] 계정 보호를 위해 로그인 후 확인 http://kakao.account-safe.com", [PH], "direct", {}),
    ("교통 위반 과태료 조회 https://is.gd/fine24", [PH], "direct", {}),
    ("건강검진 결과 확인 http://nhis.or.kr.result-check.info", [PH], "direct", {}),
    ("해외 결제 승인 문의 http://visa-korea-refund.com", [PH], "direct", {}),
    ("쿠팡 환불 신청 링크 http://coupang-refund.top/apply", [PH], "direct", {}),
    ("모바일 청첩장 https://t.ly/wedd1 ♥", [PH], "direct", {}),
    ("[Web발신] 고객님 택배가 반송 예정입니다 http://cjlogis-track.com", [PH], "direct", {}),
    ("네이버 계정 인증 필요 https://naver.com-id-check.net", [PH], "direct", {}),
    ("sign in to your kakao account http://kakao-id.support", [PH], "direct", {}),
    # malware
    ("보안 프로그램 설치 후 이용 가능합니다", [MW], "direct", {"att": [{"name": "secure_setup.exe"}]}),
    ("원격지원 앱 깔아주세요 상담원이 연결해 드립니다", [MW], "direct", {}),
    ("팀뷰어 설치하시면 환불 바로 처리해 드려요", [MW], "direct", {}),
    ("택배 조회 어플 설치 http://parcel-app.kr/track.apk", [MW, PH], "direct", {}),
    ("카톡 업데이트 파일입니다 설치하세요", [MW], "direct", {"att": [{"name": "kakaotalk_update.apk"}]}),
    ("알수없는 출처 허용 켜고 받은 파일 설치해", [MW], "direct", {}),
    ("anydesk 다운받아서 9자리 번호 알려주세요", [MW], "direct", {}),
    # threat
    ("너 대화 캡처 다 뿌릴 거야", [TH], "direct", {}),
    ("니 얼굴 사진 커뮤에 올릴 거야 각오해", [TH], "direct", {}),
    ("연락 씹으면 회사에 다 말한다", [TH], "direct", {}),
    ("영상 뿌리기 전에 30분 준다", [TH], "direct", {}),
    ("니네 집 어디 사는지 알아 ㅋ", [TH], "direct", {}),
    ("단톡방에 니 신상 공개할게", [TH], "group", {}),
    ("i will expose you to everyone you know", [TH], "direct", {}),
    ("동영상 유 포 할 꺼 다", [TH], "direct", {"evasion": True}),
    # exposure
    (f"이 사람 집 주소 {ADDRS[2]} 다들 찾아가 봐", [EX], "open_chat", {}),
    (f"사기꾼 계좌 주인 {NAMES[7]} 폰 {phone()}", [EX], "board", {}),
    (f"얘 이메일 {email()} 스팸 보내자 ㅋㅋ", [EX], "open_chat", {}),
    (f"전여친 번호 {phone()} 다들 연락해", [EX], "open_chat", {}),
    # look-alikes
    ("디비 판매 스팸 신고하는 법 알려주세요", [], "open_chat", {"look": True}),
    ("대포통장 명의 빌려줬다가 처벌받은 사례 공유", [], "board", {"look": True}),
    ("은행에서 보안카드 대신 OTP 쓰래요", [], "direct", {"look": True}),
    ("경찰서에서 진술서 쓸 때 주민번호 적었어", [], "direct", {"look": True}),
    ("금융감독원 사칭 문자 받았어요 다들 조심", [], "group", {"look": True}),
    ("카카오 고객센터 번호가 뭐였지? 공식 홈페이지에서 찾아봐", [], "group", {"look": True}),
    ("공식 홈페이지 https://www.kakaobank.com 에서 확인하세요", [], "board", {"look": True}),
    ("스미싱 예시: '택배 주소 불일치 링크 클릭' 이런 거 누르지 마세요", [], "board", {"look": True}),
    ("청첩장 모바일로 보낼게 https://m.wedding.naver.com/abc", [], "direct", {"look": True}),
    ("엄마 나 폰 바꿨는데 카톡 백업 어떻게 해?", [], "direct", {"look": True}),
    ("팀뷰어 라이선스 회사에서 구매했대요", [], "group", {"look": True}),
    ("신상 털린다는 협박 받으면 어떻게 해요?", [], "open_chat", {"look": True}),
    ("그 드라마 신상 공개 장면 소름", [], "group", {"look": True}),
    ("박제된 명장면 모음 ㅋㅋ", [], "open_chat", {"look": True}),
    ("내 주소 알려줄게 택배로 보내줘", [], "direct", {"look": True}),
    (f"제 연락처 {phone()} 로 언제든 연락 주세요 (부동산)", [], "board", {"look": True}),
    ("이름이랑 번호 남기라는 방은 들어가지 마세요", [], "open_chat", {"look": True}),
    ("개인정보 유출 사고로 과징금 나왔대", [], "group", {"look": True}),
    ("인증번호 절대 알려주지 마세요 카카오는 묻지 않습니다", [], "board", {"look": True}),
    ("앱 설치하라는 문자는 다 무시하세요", [], "board", {"look": True}),
    ("검찰청 홈페이지 https://www.spo.go.kr 에서 사칭 번호 조회 가능", [], "board", {"look": True}),
    ("apk 받지 말고 플레이스토어 공식 앱 쓰세요", [], "open_chat", {"look": True}),
    ("신분증 사진 요구하면 무조건 사기래요", [], "group", {"look": True}),
    ("디비 판매한다는 글 신고 눌렀음", [], "open_chat", {"look": True}),
    ("ㅋㅋ 니 번호 따갈게 농담", [], "direct", {"look": True}),
]
for t, labels, s, kw in more:
    add(t, labels, s, **kw)

# Evasion variants of some positives: zero-width characters inside words,
# or a space between the syllables of the first words.
def spaced(t, n=8):
    head, tail = t[:n], t[n:]
    return " ".join(ch for ch in head if ch != " ") + " " + tail


base = [x for x in E if x[1] and not x[3].get("evasion") and "http" not in x[0]]
for k, (t, labels, s, kw) in enumerate(base[::7]):
    kw2 = dict(kw)
    kw2["evasion"] = True
    add(zw(t) if k % 2 else spaced(t), labels, s, **kw2)


out = sys.stdout
for i, (text, labels, surface, kw) in enumerate(E, 1):
    line(out, i, "d", text, labels, surface, **kw)
