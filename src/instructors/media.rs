//! Uploaded files: profile photos (sniffed, decoded with limits, cropped square, resized to
//! 400 and 96 px, re-encoded as JPEG, which drops EXIF and anything else hidden in the file)
//! and background-check documents (sniffed, stored as they are, never served publicly).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbImage};

use crate::error::{AppError, AppResult};

pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
pub const PHOTO_SIZES: [u32; 2] = [400, 96];
const MAX_SIDE: u32 = 12_000;

/// A square in the original image's pixels.
#[derive(Clone, Copy, Debug)]
pub struct Crop {
    pub x: u32,
    pub y: u32,
    pub size: u32,
}

pub fn too_large() -> AppError {
    AppError::invalid("media.too_large", "file", "must be at most 10 MB")
}

/// The photo as JPEG bytes at each of `PHOTO_SIZES`.
pub fn process_photo(bytes: &[u8], crop: Option<Crop>) -> AppResult<Vec<(u32, Vec<u8>)>> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(too_large());
    }
    let format = image::guess_format(bytes)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP));
    let Some(format) = format else {
        return Err(AppError::invalid(
            "media.unsupported_type",
            "file",
            "must be a JPEG, PNG or WebP image",
        ));
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| {
        AppError::invalid(
            "media.unsupported_type",
            "file",
            "could not be read as an image",
        )
    })?;
    let (width, height) = (image.width(), image.height());
    let crop = match crop {
        Some(c) => c,
        None => {
            let size = width.min(height);
            Crop {
                x: (width - size) / 2,
                y: (height - size) / 2,
                size,
            }
        }
    };
    let fits = crop.size >= 32
        && crop.x.checked_add(crop.size).is_some_and(|r| r <= width)
        && crop.y.checked_add(crop.size).is_some_and(|b| b <= height);
    if !fits {
        return Err(AppError::invalid(
            "media.bad_crop",
            "crop_size",
            format!("the square must lie inside the {width}x{height} image and be at least 32 px"),
        ));
    }
    let square = flatten(image.crop_imm(crop.x, crop.y, crop.size, crop.size));
    PHOTO_SIZES
        .iter()
        .map(|&side| {
            let resized = image::imageops::resize(&square, side, side, FilterType::CatmullRom);
            let mut out = Vec::new();
            JpegEncoder::new_with_quality(&mut out, 85)
                .encode_image(&resized)
                .map_err(AppError::internal)?;
            Ok((side, out))
        })
        .collect()
}

/// RGB on a white background, so transparent PNGs do not turn black.
fn flatten(image: DynamicImage) -> RgbImage {
    let rgba = image.to_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (x, y, pixel) in rgba.enumerate_pixels() {
        let alpha = u16::from(pixel[3]);
        let blend = |c: u8| ((u16::from(c) * alpha + 255 * (255 - alpha)) / 255) as u8;
        rgb.put_pixel(
            x,
            y,
            image::Rgb([blend(pixel[0]), blend(pixel[1]), blend(pixel[2])]),
        );
    }
    rgb
}

/// The extension a background-check document is stored with, from its content.
pub fn document_kind(bytes: &[u8]) -> AppResult<&'static str> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(too_large());
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("jpg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok("png")
    } else {
        Err(AppError::invalid(
            "media.unsupported_type",
            "file",
            "must be a PDF, JPEG or PNG file",
        ))
    }
}

pub fn photos_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("media").join("photos")
}

pub fn documents_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("media").join("documents")
}

/// The public URL of a stored photo.
pub fn photo_url(key: &str, side: u32) -> String {
    format!("/media/photos/{key}-{side}.jpg")
}

/// Only names we generate are served: letters, digits and hyphens, then `.jpg`.
pub fn is_photo_name(name: &str) -> bool {
    name.strip_suffix(".jpg").is_some_and(|stem| {
        !stem.is_empty() && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, _| {
            image::Rgba([(x % 255) as u8, 40, 90, 255])
        });
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn photos_are_cropped_resized_and_reencoded_as_jpeg() {
        let out = process_photo(
            &png(640, 480),
            Some(Crop {
                x: 100,
                y: 50,
                size: 300,
            }),
        )
        .unwrap();
        assert_eq!(out.len(), 2);
        for (side, bytes) in out {
            let decoded = image::load_from_memory(&bytes).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (side, side));
            assert_eq!(image::guess_format(&bytes).unwrap(), ImageFormat::Jpeg);
        }
    }

    #[test]
    fn bad_input_is_named() {
        assert_eq!(
            process_photo(b"GIF89a....", None).unwrap_err().code,
            "media.unsupported_type"
        );
        let err = process_photo(
            &png(100, 100),
            Some(Crop {
                x: 50,
                y: 0,
                size: 80,
            }),
        )
        .unwrap_err();
        assert_eq!(err.code, "media.bad_crop");
        assert!(
            process_photo(&png(100, 60), None).is_ok(),
            "default: the centred square"
        );
        assert_eq!(document_kind(b"%PDF-1.7 ...").unwrap(), "pdf");
        assert!(document_kind(b"MZ\x90\x00").is_err());
        assert!(is_photo_name("abc-123-400.jpg"));
        assert!(!is_photo_name("../secret.jpg"));
    }
}
