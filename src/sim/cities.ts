/**
 * The ten cities of the simulated world, with real centre coordinates, real district-level
 * administrative division codes (区划代码) and plausible carrier IP prefixes, so that geography,
 * region codes and IP addresses in the events look like the field.
 */
import type { LatLon } from './geo.js';

/** A city district: its 6-digit division code and approximate centre. */
export interface District {
  readonly name: string;
  readonly region: string;
  readonly centre: LatLon;
}

/** A city of the world. */
export interface CityDef {
  readonly key: string;
  readonly name: string;
  readonly centre: LatLon;
  /** First 4 digits of the city's division code, used inside 15-digit merchant codes (e.g. 4403). */
  readonly area: string;
  /** Share of the world's accounts living here. */
  readonly weight: number;
  readonly districts: readonly District[];
  /** First two octets of addresses that local mobile and broadband carriers hand out. */
  readonly ipPrefixes: readonly string[];
}

function d(name: string, region: string, lat: number, lon: number): District {
  return { name, region, centre: { lat, lon } };
}

/** The cities, heaviest first. */
export const CITIES: readonly CityDef[] = [
  {
    key: 'shanghai', name: '上海', centre: { lat: 31.2304, lon: 121.4737 }, area: '3100', weight: 14,
    districts: [d('黄浦', '310101', 31.231, 121.484), d('徐汇', '310104', 31.188, 121.437), d('长宁', '310105', 31.22, 121.424),
      d('静安', '310106', 31.229, 121.448), d('浦东', '310115', 31.221, 121.544), d('闵行', '310112', 31.113, 121.382)],
    ipPrefixes: ['101.80', '116.228', '180.169', '117.136'],
  },
  {
    key: 'beijing', name: '北京', centre: { lat: 39.9042, lon: 116.4074 }, area: '1100', weight: 13,
    districts: [d('东城', '110101', 39.928, 116.416), d('西城', '110102', 39.912, 116.366), d('朝阳', '110105', 39.921, 116.486),
      d('海淀', '110108', 39.959, 116.298), d('丰台', '110106', 39.858, 116.287)],
    ipPrefixes: ['123.112', '111.199', '114.242', '221.218'],
  },
  {
    key: 'shenzhen', name: '深圳', centre: { lat: 22.5431, lon: 114.0579 }, area: '4403', weight: 12,
    districts: [d('福田', '440304', 22.541, 114.055), d('罗湖', '440303', 22.548, 114.131), d('南山', '440305', 22.533, 113.93),
      d('宝安', '440306', 22.555, 113.884), d('龙岗', '440307', 22.721, 114.247), d('龙华', '440309', 22.696, 114.045)],
    ipPrefixes: ['113.116', '119.123', '183.14', '120.229'],
  },
  {
    key: 'guangzhou', name: '广州', centre: { lat: 23.1291, lon: 113.2644 }, area: '4401', weight: 11,
    districts: [d('越秀', '440104', 23.129, 113.267), d('海珠', '440105', 23.084, 113.317), d('天河', '440106', 23.125, 113.361),
      d('白云', '440111', 23.158, 113.273), d('番禺', '440113', 22.938, 113.384)],
    ipPrefixes: ['183.6', '113.108', '121.33', '59.42'],
  },
  {
    key: 'chengdu', name: '成都', centre: { lat: 30.5728, lon: 104.0668 }, area: '5101', weight: 10,
    districts: [d('锦江', '510104', 30.657, 104.083), d('青羊', '510105', 30.674, 104.062), d('金牛', '510106', 30.691, 104.052),
      d('武侯', '510107', 30.642, 104.043), d('成华', '510108', 30.66, 104.101)],
    ipPrefixes: ['171.221', '125.70', '182.150', '118.113'],
  },
  {
    key: 'chongqing', name: '重庆', centre: { lat: 29.5630, lon: 106.5516 }, area: '5000', weight: 10,
    districts: [d('渝中', '500103', 29.553, 106.569), d('江北', '500105', 29.606, 106.574), d('沙坪坝', '500106', 29.541, 106.457),
      d('九龙坡', '500107', 29.502, 106.511), d('南岸', '500108', 29.521, 106.563), d('渝北', '500112', 29.718, 106.631)],
    ipPrefixes: ['106.91', '113.204', '222.178', '183.230'],
  },
  {
    key: 'hangzhou', name: '杭州', centre: { lat: 30.2741, lon: 120.1551 }, area: '3301', weight: 8,
    districts: [d('上城', '330102', 30.242, 120.169), d('拱墅', '330105', 30.319, 120.142), d('西湖', '330106', 30.259, 120.13),
      d('滨江', '330108', 30.208, 120.211), d('余杭', '330110', 30.419, 120.3)],
    ipPrefixes: ['115.192', '60.191', '122.224', '36.27'],
  },
  {
    key: 'wuhan', name: '武汉', centre: { lat: 30.5928, lon: 114.3055 }, area: '4201', weight: 8,
    districts: [d('江岸', '420102', 30.6, 114.309), d('江汉', '420103', 30.601, 114.27), d('武昌', '420106', 30.554, 114.316),
      d('洪山', '420111', 30.5, 114.344), d('汉阳', '420105', 30.555, 114.219)],
    ipPrefixes: ['58.49', '59.172', '111.172', '27.16'],
  },
  {
    key: 'xian', name: '西安', centre: { lat: 34.3416, lon: 108.9398 }, area: '6101', weight: 7,
    districts: [d('新城', '610102', 34.267, 108.96), d('碑林', '610103', 34.256, 108.934), d('莲湖', '610104', 34.265, 108.943),
      d('雁塔', '610113', 34.223, 108.949), d('未央', '610112', 34.293, 108.947)],
    ipPrefixes: ['124.115', '113.140', '117.36', '1.85'],
  },
  {
    key: 'nanjing', name: '南京', centre: { lat: 32.0603, lon: 118.7969 }, area: '3201', weight: 7,
    districts: [d('玄武', '320102', 32.048, 118.797), d('秦淮', '320104', 32.034, 118.794), d('建邺', '320105', 32.004, 118.732),
      d('鼓楼', '320106', 32.066, 118.77), d('栖霞', '320113', 32.096, 118.909)],
    ipPrefixes: ['180.110', '58.213', '114.222', '49.77'],
  },
];

/** Data-centre and overseas proxy prefixes: where fraudsters' traffic often comes from. */
export const PROXY_IP_PREFIXES: readonly string[] = ['47.96', '39.108', '120.79', '8.210', '103.116', '45.137'];
